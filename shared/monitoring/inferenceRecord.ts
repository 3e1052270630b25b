import { z } from 'zod';

/**
 * One scored row as the inference data collector writes it (JSON lines in Blob Storage,
 * container `inference-data`, blobs `<endpoint>/<yyyy>/<mm>/<dd>/<hh>/<file>.jsonl`).
 * Synthetic (load generator), mirrored and shadow requests are never collected.
 */
export const InferenceRecord = z.object({
  /** Request id: the caller's `x-request-id` (or `x-ms-client-request-id`), else generated; `#<row>` is appended for rows after the first. */
  requestId: z.string().min(1),
  endpoint: z.string(),
  environment: z.enum(['dev', 'staging', 'prod']),
  deployment: z.string(),
  model: z.object({ name: z.string(), version: z.int() }),
  /** ISO time the answer was sent. */
  time: z.string(),
  /** Feature values by column (excluded columns left out). */
  input: z.record(z.string(), z.unknown()),
  /** The row's prediction, as the scorer returned it. */
  prediction: z.unknown(),
  /** Class probabilities when the scorer returns them. */
  probabilities: z.array(z.number()).optional(),
  latencyMs: z.number().optional(),
});
export type InferenceRecord = z.infer<typeof InferenceRecord>;

export const INFERENCE_CONTAINER = 'inference-data';
export const GROUND_TRUTH_CONTAINER = 'ground-truth';
