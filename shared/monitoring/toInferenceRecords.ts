import { readScoringAnswer, type ScoringAnswer, type UnreadableAnswerError } from '../scoring/scoringAnswer';
import type { EnvironmentName } from '../config/schema';
import type { InferenceRecord } from './inferenceRecord';
import type { ModelRef } from '../ports';
import { readInputRows } from './readInputRows';

/** One answered live request, as the router saw it. */
export interface ScoredExchange {
  requestId: string;
  endpoint: string;
  environment: EnvironmentName;
  deployment: string;
  model: ModelRef;
  /** When the answer was sent. */
  time: Date;
  latencyMs: number;
  /** The request body; undefined when it was too large to inspect. */
  request: Buffer | undefined;
  /** The answer's JSON body; undefined when it was too large to inspect. */
  answer: Buffer | undefined;
  /** `answer` as the router already read it with readScoringAnswer, so it is not parsed twice; absent: read here. */
  readAnswer?: ScoringAnswer | undefined;
}

export interface BuiltRecords {
  records: InferenceRecord[];
  /** Rows that could not become records (a body that cannot be read at all counts as one). */
  uncollectable: number;
  /** Why, when `uncollectable` > 0 or `tooLarge`; never quotes the data. */
  reason?: string;
  /** The request or its answer was over 1 MB, so it was not read: skipped, counted apart from uncollectable rows. */
  tooLarge?: true;
}

/**
 * Pairs row i of a request with `predictions[i]` (and `probabilities[i]`) of its answer.
 * Row 0 keeps the request id, later rows get `<id>#<row>` so labels can be joined per row.
 * Columns in `excluded` (matched ignoring case) are left out before anything is kept.
 */
export function toInferenceRecords(exchange: ScoredExchange, excluded: ReadonlySet<string>): BuiltRecords {
  if (!exchange.request)
    return { records: [], uncollectable: 0, tooLarge: true, reason: 'the request was too large to inspect (over 1 MB)' };
  if (!exchange.answer) return { records: [], uncollectable: 0, tooLarge: true, reason: 'the answer was too large to inspect (over 1 MB)' };
  const input = readInputRows(exchange.request);
  if (input.unreadable) return { records: [], uncollectable: 1, reason: input.unreadable };
  const rows = input.rows;
  const answer = exchange.readAnswer ?? readAnswer(exchange.answer);
  if (typeof answer === 'string') return { records: [], uncollectable: Math.max(rows.length, 1), reason: answer };
  if (answer.predictions.length !== rows.length) {
    return {
      records: [],
      uncollectable: rows.length,
      reason: `the answer has ${answer.predictions.length} predictions for ${rows.length} rows, so rows cannot be paired with predictions`,
    };
  }
  const time = exchange.time.toISOString();
  const latencyMs = Math.round(exchange.latencyMs * 1000) / 1000;
  const records: InferenceRecord[] = [];
  let uncollectable = 0;
  rows.forEach((row, i) => {
    if (!row) {
      uncollectable++;
      return;
    }
    const record: InferenceRecord = {
      requestId: i === 0 ? exchange.requestId : `${exchange.requestId}#${i}`,
      endpoint: exchange.endpoint,
      environment: exchange.environment,
      deployment: exchange.deployment,
      model: { name: exchange.model.name, version: exchange.model.version },
      time,
      input: withoutExcluded(row, excluded),
      prediction: answer.predictions[i],
      latencyMs,
    };
    const probabilities = answer.probabilities?.[i];
    if (Array.isArray(probabilities) && probabilities.every((p) => typeof p === 'number')) record.probabilities = probabilities;
    records.push(record);
  });
  if (uncollectable === 0) return { records, uncollectable };
  return { records, uncollectable, reason: 'rows are arrays without column names (send input_data with columns, or rows as objects)' };
}

/** Lower-cased names, for exclusion that a column's capitalisation cannot dodge. */
export function toExcludedSet(columns: readonly string[]): ReadonlySet<string> {
  return new Set(columns.map((c) => c.toLowerCase()));
}

function withoutExcluded(row: Record<string, unknown>, excluded: ReadonlySet<string>): Record<string, unknown> {
  if (excluded.size === 0) return row;
  return Object.fromEntries(Object.entries(row).filter(([column]) => !excluded.has(column.toLowerCase())));
}

function readAnswer(body: Buffer): { predictions: unknown[]; probabilities?: unknown[] } | string {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return 'the answer is not JSON';
  }
  try {
    return readScoringAnswer(json);
  } catch (error) {
    // Probabilities we cannot read must not cost the predictions: each row keeps its own if it is a list of numbers.
    const fields = json as { predictions?: unknown; probabilities?: unknown } | null;
    if (fields && Array.isArray(fields.predictions)) {
      return { predictions: fields.predictions, probabilities: Array.isArray(fields.probabilities) ? fields.probabilities : undefined };
    }
    return (error as UnreadableAnswerError).why;
  }
}
