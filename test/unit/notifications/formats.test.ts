import { formatBody } from '../../../shared/notifications/formatBody';
import { toNotificationMessage } from '../../../shared/notifications/notificationMessage';
import { SLACK_LIMITS, toSlackPayload } from '../../../shared/notifications/slackMessage';
import { TEAMS_LIMITS, TeamsMessageTooLargeError, toTeamsPayload } from '../../../shared/notifications/teamsMessage';
import { driftEvent, releaseEvent } from './fixtures';

const BASE = { publicBaseUrl: 'https://autopilot.example.net/' };

describe('toNotificationMessage', () => {
  test('a release waiting for approval says what, which pipeline and model, why, links the release page and says how to approve', () => {
    const message = toNotificationMessage(
      releaseEvent('ApprovalRequested', { timeoutMinutes: 60 }, 'approval'),
      'waiting_for_approval',
      'default',
      BASE,
    );
    expect(message.title).toBe('Release r-20261204-1 waits for approval to go to prod');
    expect(message.summary).toBe('Release r-20261204-1 waits for approval to go to prod: new data default/a.csv');
    expect(message.facts).toEqual(
      expect.arrayContaining([
        { name: 'Pipeline', value: 'default' },
        { name: 'Model', value: 'default v7' },
        { name: 'Stage', value: 'approval' },
      ]),
    );
    expect(message.link).toEqual({ label: 'Open the release', url: 'https://autopilot.example.net/api/dashboard/#/releases/r-20261204-1' });
    expect(message.action).toMatch(/autopilot approve r-20261204-1.*POST \/api\/releases\/r-20261204-1\/approve.*within 60 min/);
  });

  test('a rollback names who and why; a stage change says which stage finished; the local base URL is the default', () => {
    const rolled = toNotificationMessage(
      releaseEvent('ReleaseRolledBack', { by: 'alice', why: 'error rate up', status: 'rolled_back' }),
      'rolled_back',
      'default',
    );
    expect(rolled.summary).toBe('Release r-20261204-1 rolled back: error rate up');
    expect(rolled.facts).toContainEqual({ name: 'By', value: 'alice' });
    expect(rolled.link.url).toBe('http://127.0.0.1:7071/api/dashboard/#/releases/r-20261204-1');
    expect(rolled.action).toBeUndefined();
    const moved = toNotificationMessage(
      releaseEvent('ReleaseStageCompleted', { completedStage: 'deploy_staging' }, 'approval'),
      'stage_changed',
      'default',
    );
    expect(moved.facts).toContainEqual({ name: 'Stage', value: 'deploy_staging done, now approval' });
  });

  test('a drift digest carries the breaches folded since the last message and links the monitors', () => {
    const message = toNotificationMessage(driftEvent('default-1'), 'drift', 'default', {
      ...BASE,
      digest: { folded: 4, since: '2026-12-04T08:10:00.000Z' },
    });
    expect(message.title).toBe('Drift on default');
    expect(message.summary).toBe('Drift on default: feature tenure: PSI 0.41 > 0.2');
    expect(message.facts).toContainEqual({
      name: 'Digest',
      value: '4 more breaches of this kind since 2026-12-04T08:10:00.000Z, not sent one by one',
    });
    expect(message.link.url).toBe('https://autopilot.example.net/api/dashboard/#/monitors/default');
  });
});

describe('Slack incoming-webhook payload', () => {
  const KNOWN_BLOCKS = ['header', 'section', 'context', 'actions', 'divider'];

  test('has a text fallback and Block Kit blocks of known types, with the release link as a button', () => {
    const payload = toSlackPayload(
      toNotificationMessage(releaseEvent('ApprovalRequested', {}, 'approval'), 'waiting_for_approval', 'default', BASE),
    );
    expect(payload.text).toContain('waits for approval');
    expect(payload.text).toContain('<https://autopilot.example.net/api/dashboard/#/releases/r-20261204-1|Open the release>');
    expect(payload.blocks.every((b) => KNOWN_BLOCKS.includes(b.type))).toBe(true);
    expect(payload.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Release r-20261204-1 waits for approval to go to prod' },
    });
    expect(payload.blocks).toContainEqual(
      expect.objectContaining({
        type: 'actions',
        elements: [expect.objectContaining({ type: 'button', url: 'https://autopilot.example.net/api/dashboard/#/releases/r-20261204-1' })],
      }),
    );
    expect(payload.blocks.find((b) => b.type === 'context')).toBeDefined();
  });

  test('a message over Slack limits is cut to them: header 150, section 3000, 10 fields of 2000; & < > are escaped', () => {
    const reasons = Array.from({ length: 400 }, (_, i) => `feature f${i} <drifted> & more`);
    const event = { ...driftEvent('default-2', reasons), source: '/autopilot/pipelines/default' };
    const message = toNotificationMessage(event, 'drift', 'default');
    message.title = 'T'.repeat(400);
    message.facts = Array.from({ length: 14 }, (_, i) => ({ name: `f${i}`, value: 'v'.repeat(2500) }));
    const payload = toSlackPayload(message);
    const header = payload.blocks[0] as { text: { text: string } };
    expect(Array.from(header.text.text)).toHaveLength(SLACK_LIMITS.headerText);
    expect(header.text.text.endsWith('…')).toBe(true);
    const [summary, facts] = payload.blocks.slice(1) as { text?: { text: string }; fields?: { text: string }[] }[];
    // Cut between characters, never inside an escape: up to 4 units short of the limit.
    expect(summary!.text!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(summary!.text!.text.length).toBeGreaterThan(SLACK_LIMITS.sectionText - 5);
    expect(summary!.text!.text.endsWith('…')).toBe(true);
    expect(summary!.text!.text).toContain('&lt;drifted&gt; &amp; more');
    expect(facts!.fields).toHaveLength(SLACK_LIMITS.fields);
    expect(facts!.fields!.every((f) => Array.from(f.text).length <= SLACK_LIMITS.fieldText)).toBe(true);
    expect(payload.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(Array.from(payload.text).length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
  });
});

describe('Teams Workflows payload', () => {
  test('is a message with one Adaptive Card 1.4 attachment: type, version, body, facts and an OpenUrl action', () => {
    const payload = toTeamsPayload(
      toNotificationMessage(releaseEvent('ReleaseSucceeded', { status: 'succeeded' }, 'promote'), 'promoted', 'default', BASE),
    );
    expect(payload.type).toBe('message');
    expect(payload.attachments).toHaveLength(1);
    const [attachment] = payload.attachments;
    expect(attachment!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = attachment!.content;
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json' });
    expect(card.body[0]).toMatchObject({ type: 'TextBlock', text: 'Release r-20261204-1 promoted to prod', color: 'Good', wrap: true });
    expect(card.body.map((b) => b['type'])).toEqual(['TextBlock', 'TextBlock', 'FactSet']);
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open the release', url: 'https://autopilot.example.net/api/dashboard/#/releases/r-20261204-1' },
    ]);
  });

  test('long texts are cut to fit Teams; a card that still exceeds 28 KB is refused before sending', () => {
    const message = toNotificationMessage(driftEvent('default-3', ['x'.repeat(50_000)]), 'drift', 'default');
    const card = toTeamsPayload(message).attachments[0]!.content;
    expect(Array.from(String(card.body[1]!['text']))).toHaveLength(TEAMS_LIMITS.summary);
    expect(new TextEncoder().encode(JSON.stringify(toTeamsPayload(message))).length).toBeLessThanOrEqual(TEAMS_LIMITS.messageBytes);
    // Four-byte characters in the summary and every fact: within each text cap, over the byte limit.
    message.facts = Array.from({ length: 12 }, (_, i) => ({ name: `f${i}`, value: '𝔁'.repeat(TEAMS_LIMITS.factValue) }));
    message.summary = '𝔁'.repeat(TEAMS_LIMITS.summary);
    expect(() => toTeamsPayload(message)).toThrow(TeamsMessageTooLargeError);
    expect(() => toTeamsPayload(message)).toThrow(/Teams accepts at most 28672/);
  });
});

describe('formatBody', () => {
  test('cloudevents is the event in structured mode, with the folded count as an extension attribute', () => {
    const event = driftEvent('default-4');
    const message = toNotificationMessage(event, 'drift', 'default');
    const { contentType, body } = formatBody('cloudevents', event, message, { folded: 2, since: '2026-12-04T08:00:00Z' });
    expect(contentType).toBe('application/cloudevents+json; charset=utf-8');
    expect(JSON.parse(body)).toEqual({ specversion: '1.0', datacontenttype: 'application/json', ...event, autopilotfolded: 2 });
    expect(JSON.parse(formatBody('slack', event, message).body)).toHaveProperty('blocks');
    expect(JSON.parse(formatBody('teams', event, message).body)).toHaveProperty('attachments');
  });
});
