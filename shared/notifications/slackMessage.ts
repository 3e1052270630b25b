import type { NotificationMessage } from './notificationMessage';
import { truncate } from './truncate';

/**
 * Slack's published Block Kit limits (read 2026-12-04):
 * header text 150 chars (https://docs.slack.dev/reference/block-kit/blocks/header-block);
 * section text 3000, fields at most 10 of 2000 each (https://docs.slack.dev/reference/block-kit/blocks/section-block);
 * context at most 10 elements (https://docs.slack.dev/reference/block-kit/blocks/context-block);
 * button text 75, url 3000 (https://docs.slack.dev/reference/block-kit/block-elements/button-element);
 * at most 50 blocks in a message (https://docs.slack.dev/reference/block-kit/blocks).
 * Incoming webhooks take `{ text, blocks }`; `text` is the notification fallback and is required
 * when blocks are sent (https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks).
 * We cut rather than refuse: a shortened notification that links to the release beats none.
 */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  buttonText: 75,
  buttonUrl: 3000,
  blocks: 50,
} as const;

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text?: { type: 'mrkdwn'; text: string }; fields?: { type: 'mrkdwn'; text: string }[] }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] }
  | { type: 'actions'; elements: { type: 'button'; text: { type: 'plain_text'; text: string }; url: string; action_id: string }[] };

export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
}

/** The incoming-webhook body for one message. */
export function toSlackPayload(message: NotificationMessage): SlackPayload {
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(message.title, SLACK_LIMITS.headerText) } },
    { type: 'section', text: { type: 'mrkdwn', text: escapedWithin(message.summary, SLACK_LIMITS.sectionText) } },
  ];
  if (message.facts.length > 0) {
    blocks.push({
      type: 'section',
      fields: message.facts.slice(0, SLACK_LIMITS.fields).map((f) => ({
        type: 'mrkdwn' as const,
        text: `*${escapedWithin(f.name, 100)}*\n${escapedWithin(f.value, SLACK_LIMITS.fieldText - 104)}`,
      })),
    });
  }
  if (message.action)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapedWithin(message.action, SLACK_LIMITS.sectionText) }] });
  if (message.link.url.length <= SLACK_LIMITS.buttonUrl) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: truncate(message.link.label, SLACK_LIMITS.buttonText) },
          url: message.link.url,
          action_id: 'open',
        },
      ],
    });
  }
  // The fallback also names the link: some clients (notifications, old apps) show only `text`.
  // The summary is cut, not the link: a cut `<url|label>` shows as raw text.
  const link = `<${message.link.url}|${escapeMrkdwn(message.link.label)}>`;
  const text =
    link.length < SLACK_LIMITS.sectionText / 2
      ? `${escapedWithin(message.summary, SLACK_LIMITS.sectionText - link.length - 1)} ${link}`
      : escapedWithin(message.summary, SLACK_LIMITS.sectionText);
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/** Slack reads &, < and > as control characters in mrkdwn (https://docs.slack.dev/messaging/formatting-message-text). */
function escapeMrkdwn(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * `value` escaped, cut to at most `max` UTF-16 units (Slack's limits are at least that lenient)
 * between characters, so an escape (`&amp;`) is never split, and marked with an ellipsis.
 */
function escapedWithin(value: string, max: number): string {
  const escaped = escapeMrkdwn(value);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const char of value) {
    const next = escapeMrkdwn(char);
    if (out.length + next.length > max - 1) break;
    out += next;
  }
  return `${out}…`;
}
