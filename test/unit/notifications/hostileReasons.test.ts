import { toNotificationMessage } from '../../../shared/notifications/notificationMessage';
import { SLACK_LIMITS, toSlackPayload } from '../../../shared/notifications/slackMessage';
import { toTeamsPayload } from '../../../shared/notifications/teamsMessage';
import { releaseEvent } from './fixtures';

/** Reasons carry text from data and blob names: a hostile one must not ping a channel or plant a link. */
const HOSTILE = 'column <!channel> @everyone <https://evil.example|Approve here> [Approve here](https://evil.example/login) ** _x_';

function hostileMessage() {
  return toNotificationMessage(releaseEvent('ReleaseFailed', { why: HOSTILE, by: '[me](https://evil.example)' }), 'failed', 'default');
}

describe('hostile text in notifications', () => {
  test('Slack: no mention or link syntax survives in mrkdwn', () => {
    const json = JSON.stringify(toSlackPayload(hostileMessage()));
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<https://evil.example|');
    expect(json).toContain('&lt;!channel&gt;');
  });

  test('Teams: no markdown link to another site forms in any text or fact', () => {
    const card = toTeamsPayload(hostileMessage()).attachments[0]!.content;
    const texts = [
      ...card.body.filter((b) => b['type'] === 'TextBlock').map((b) => String(b['text'])),
      ...card.body
        .filter((b) => b['type'] === 'FactSet')
        .flatMap((b) => (b['facts'] as { title: string; value: string }[]).flatMap((f) => [f.title, f.value])),
    ];
    for (const text of texts) expect(text).not.toMatch(/\]\(/);
    expect(texts.join(' ')).toContain('Approve here');
  });

  test('Slack: a reason as long as the limit still leaves the fallback text its whole link', () => {
    const message = toNotificationMessage(releaseEvent('ReleaseFailed', { why: '&'.repeat(5000) }), 'failed', 'default');
    const { text } = toSlackPayload(message);
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(text.endsWith(`<${message.link.url}|${message.link.label}>`)).toBe(true);
    // Cut between characters, not inside an escape: no '&am' left dangling.
    expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
  });
});
