/**
 * Queue message text as the Functions host reads it. The host writes base64 by default
 * (`messageEncoding: base64`) but tools and other SDK users often send plain text, so we
 * accept both, as the real host does, and JSON-parse objects and arrays.
 */
export interface DecodedQueueMessage {
  /** The message as text after base64 decoding (when it was base64). */
  text: string;
  /** What the handler receives: the parsed JSON object/array, or the text itself. */
  input: unknown;
  wasBase64: boolean;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Treats `raw` as base64 only when it is canonical base64 whose bytes are valid UTF-8
 * text without control characters; short plain words that happen to be base64
 * ("test", "hello123") decode to binary and are therefore kept as they are.
 */
export function decodeQueueMessage(raw: string): DecodedQueueMessage {
  let text = raw;
  let wasBase64 = false;
  if (raw.length > 0 && BASE64.test(raw)) {
    try {
      const decoded = utf8.decode(Buffer.from(raw, 'base64'));
      if (!/[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/.test(decoded)) {
        text = decoded;
        wasBase64 = true;
      }
    } catch {
      // not UTF-8: plain text after all
    }
  }
  return { text, input: parseJsonPayload(text), wasBase64 };
}

/** Objects and arrays are parsed; anything else (numbers, bare strings, broken JSON) stays text. */
export function parseJsonPayload(text: string): unknown {
  const trimmed = text.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return text;
  try {
    return JSON.parse(trimmed);
  } catch {
    return text;
  }
}

/** Encodes an output-binding value the way the host writes queue messages (JSON, base64). */
export function encodeQueueMessage(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return Buffer.from(text, 'utf8').toString('base64');
}
