import { tryReadScoringAnswer, type ScoringAnswer } from '../../../shared/scoring/scoringAnswer';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

/** Answers larger than this are passed through but not read: parsing them would cost the router. */
export const MAX_INSPECTED_BODY_BYTES = 1024 * 1024;

/**
 * Keeps a copy of a scoring answer while it is piped to the caller, when it is JSON and
 * small enough to inspect; gives up (and frees the copy) as soon as it grows too large.
 */
export function captureJsonBody(headers: IncomingHttpHeaders, answer: Readable): () => Buffer | undefined {
  const type = String(headers['content-type'] ?? '');
  const declared = Number(headers['content-length'] ?? 0);
  if (declared > MAX_INSPECTED_BODY_BYTES) return () => undefined;
  // A scoring answer that is not JSON at all is read as empty: inspected, and malformed.
  if (!/json/i.test(type)) return () => Buffer.alloc(0);
  let chunks: Buffer[] | undefined = [];
  let size = 0;
  answer.on('data', (chunk: Buffer) => {
    if (!chunks) return;
    size += chunk.length;
    if (size > MAX_INSPECTED_BODY_BYTES) chunks = undefined;
    else chunks.push(chunk);
  });
  return () => (chunks ? Buffer.concat(chunks) : undefined);
}

/** The scoring answer in a JSON body (any shape scripts return, see scoringAnswer); undefined when it cannot be read. */
export function readAnswerBody(body: Buffer | undefined): ScoringAnswer | undefined {
  if (!body || body.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  return tryReadScoringAnswer(parsed);
}

/** The predictions of a JSON scoring answer; undefined when it has none or is not JSON. */
export function readPredictions(body: Buffer | undefined): unknown[] | undefined {
  return readAnswerBody(body)?.predictions;
}
