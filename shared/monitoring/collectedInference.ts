import { z } from 'zod';
import type { EnvironmentName } from '../config/schema';
import type { CollectedInferenceBatch as CollectedInferenceBatchShape, ModelRef } from '../ports';
import type { InferenceRecord } from './inferenceRecord';
import { toInferenceRecords } from './toInferenceRecords';
import { hourPartition } from './inferenceBlobName';

/**
 * Inference data as Azure ML's data collector writes it, turned into our records.
 * Layout and line format: Microsoft Learn "Collect production data from models deployed for
 * real-time inferencing" (MicrosoftDocs/azure-ai-docs articles/machine-learning/
 * how-to-collect-production-data.md, "Store collected data in Blob Storage"): blobs
 * `modelDataCollector/{endpoint}/{deployment}/{collection}/{yyyy}/{MM}/{dd}/{HH}/{instance}.jsonl`
 * in the workspace's default datastore, one JSON object (a CloudEvent) per line with the
 * collected payload in `data` and `correlationid` pairing what belongs together.
 * Two pairs are read: payload logging (`request` + `response`, the HTTP bodies, which any
 * scorer gets without code) and custom logging (`model_inputs` + `model_outputs`, pandas
 * DataFrames as row objects, from the azureml-ai-monitoring Collector in a Python scorer).
 */

export const COLLECTOR_ROOT = 'modelDataCollector';
/** The collections read, as (inputs, outputs) pairs. */
export const COLLECTION_PAIRS = [
  ['request', 'response'],
  ['model_inputs', 'model_outputs'],
] as const;
export type CollectionName = (typeof COLLECTION_PAIRS)[number][number];

/**
 * The query parameter our load generator adds to the scoring URI. Payload logging keeps no
 * headers, but it keeps the request's `path` with its query (the documented binary-data event
 * shows `"path":"/score?size=1"`), so the replayed held-out rows of a canary or a shadow check
 * are recognised here and never counted as production traffic: repeated a thousand times, a
 * couple of hundred rows would otherwise look like drift against the training distribution.
 */
export const SYNTHETIC_QUERY = { name: 'autopilot-synthetic', value: '1' } as const;

const CollectorLine = z.looseObject({
  type: z.string().optional(),
  time: z.string(),
  correlationid: z.string().min(1),
  xrequestid: z.string().optional(),
  /** The request's path and query (request events of payload logging). */
  path: z.string().optional(),
  data: z.unknown(),
  /** A payload over 4 MB is stored apart; the line then holds its URL (not read: too large to inspect). */
  datainblob: z.union([z.string(), z.boolean()]).optional(),
});
type CollectorLine = z.infer<typeof CollectorLine>;

/** The prefix of one collection of a deployment for one hour (UTC). */
export function collectorHourPrefix(endpoint: string, deployment: string, collection: CollectionName, hour: Date): string {
  // The collector's {yyyy}/{MM}/{dd}/{HH} is our own hour partition's format.
  return `${COLLECTOR_ROOT}/${endpoint}/${deployment}/${collection}/${hourPartition(hour)}/`;
}

export interface CollectedBlobs {
  /** The inputs collection's blobs' text (request or model_inputs) of one deployment and hour. */
  inputs: string[];
  /** The outputs collection's (response or model_outputs). */
  outputs: string[];
  /** Which pair these are. */
  pair: (typeof COLLECTION_PAIRS)[number];
}

/** Distinct reasons kept: they end up in the monitor run and its events, and events can give one each. */
export const MAX_REASONS = 5;

export interface CollectedRecords {
  records: InferenceRecord[];
  /** Lines that are not collector events, inputs without outputs (or the reverse), rows that could not be paired. */
  uncollectable: number;
  /** Why, never quoting the data. */
  reasons: string[];
  /** Requests our own load generator sent (SYNTHETIC_QUERY), left out. */
  synthetic: number;
}

/**
 * The records of one deployment's collected data: inputs and outputs joined by
 * correlation id, rows paired with predictions as our own collector pairs them.
 * Inputs whose outputs are not (yet) written are counted, not guessed.
 */
export function recordsFromCollected(
  blobs: CollectedBlobs,
  where: { endpoint: string; environment: EnvironmentName; deployment: string; model: ModelRef; excluded: ReadonlySet<string> },
): CollectedRecords {
  const result: CollectedRecords = { records: [], uncollectable: 0, reasons: [], synthetic: 0 };
  const note = (count: number, reason: string) => {
    result.uncollectable += count;
    if (result.reasons.length < MAX_REASONS && !result.reasons.includes(reason)) result.reasons.push(reason);
  };
  const outputs = new Map<string, CollectorLine>();
  for (const line of eventsOf(blobs.outputs, note)) outputs.set(line.correlationid, line);
  // The same event written twice (a retried upload) is one inference: its records are kept once.
  const seen = new Set<string>();
  for (const input of eventsOf(blobs.inputs, note)) {
    if (seen.has(input.correlationid)) continue;
    seen.add(input.correlationid);
    if (isSynthetic(input.path)) {
      result.synthetic++;
      continue;
    }
    const output = outputs.get(input.correlationid);
    if (!output) {
      note(1, `a ${blobs.pair[0]} event has no ${blobs.pair[1]} event with its correlationid (not written yet, or not collected)`);
      continue;
    }
    if (input.datainblob !== undefined || output.datainblob !== undefined) {
      note(1, 'a payload over 4 MB was stored apart by the collector and is not inspected');
      continue;
    }
    const time = [Date.parse(output.time), Date.parse(input.time)].find((t) => !Number.isNaN(t));
    if (time === undefined) {
      note(1, 'a collected event pair has no readable time');
      continue;
    }
    const [request, answer] =
      blobs.pair[0] === 'request' ? [input.data, output.data] : [{ data: input.data }, { predictions: predictionsOf(output.data) }];
    const built = toInferenceRecords(
      {
        requestId: input.xrequestid || input.correlationid,
        endpoint: where.endpoint,
        environment: where.environment,
        deployment: where.deployment,
        model: where.model,
        time: new Date(time),
        latencyMs: 0,
        request: Buffer.from(JSON.stringify(request)),
        answer: Buffer.from(JSON.stringify(answer)),
      },
      where.excluded,
    );
    // The collector records no latency: leave it out rather than claim 0 ms.
    for (const record of built.records) delete record.latencyMs;
    result.records.push(...built.records);
    if (built.uncollectable || built.tooLarge) note(built.uncollectable || 1, built.reason ?? 'rows could not be paired with predictions');
  }
  return result;
}

function isSynthetic(path: string | undefined): boolean {
  const query = path?.split('?')[1];
  return query !== undefined && new URLSearchParams(query).get(SYNTHETIC_QUERY.name) === SYNTHETIC_QUERY.value;
}

function* eventsOf(texts: string[], note: (count: number, reason: string) => void): Generator<CollectorLine> {
  for (const text of texts) {
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        note(1, 'a collected line is not JSON');
        continue;
      }
      const parsed = CollectorLine.safeParse(json);
      if (!parsed.success) {
        note(
          1,
          `a collected line is not a collector event (${parsed.error.issues[0]?.path.join('.') || 'body'}: ${parsed.error.issues[0]?.message})`,
        );
        continue;
      }
      yield parsed.data;
    }
  }
}

/**
 * model_outputs rows are DataFrame rows: `{prediction: v}` or `{<one column>: v}` gives v;
 * anything else is the prediction as it is.
 */
function predictionsOf(data: unknown): unknown[] {
  const rows = Array.isArray(data) ? data : [data];
  return rows.map((row) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) return row;
    const fields = row as Record<string, unknown>;
    if ('prediction' in fields) return fields.prediction;
    const keys = Object.keys(fields);
    return keys.length === 1 ? fields[keys[0]!] : row;
  });
}

/**
 * The batches of an endpoint's collected data: per deployment and hour, the first pair of
 * collections that holds inputs (payload logging before custom logging). A deployment that
 * collects both pairs logs the same requests twice; reading one keeps each row once.
 * `listTexts`: the texts of the `.jsonl` blobs under a prefix.
 */
export async function* collectedBatches(
  listTexts: (prefix: string) => Promise<string[]>,
  deployments: readonly { name: string; model: ModelRef }[],
  hours: readonly Date[],
  where: { endpoint: string; environment: EnvironmentName; excluded: ReadonlySet<string> },
): AsyncGenerator<CollectedInferenceBatchShape> {
  for (const deployment of deployments) {
    for (const hour of hours) {
      for (const pair of COLLECTION_PAIRS) {
        const inputs = await listTexts(collectorHourPrefix(where.endpoint, deployment.name, pair[0], hour));
        if (!inputs.length) continue;
        const outputs = await listTexts(collectorHourPrefix(where.endpoint, deployment.name, pair[1], hour));
        const built = recordsFromCollected({ inputs, outputs, pair }, { ...where, deployment: deployment.name, model: deployment.model });
        yield { deployment: deployment.name, hour: hour.toISOString(), ...built };
        break;
      }
    }
  }
}
