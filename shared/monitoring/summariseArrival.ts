import { endpointName } from '../config/schema';
import { NotFoundError } from '../errors';
import type { BlobInfo } from '../ports';
import { PREDICTION_COLUMN } from './baseline';
import { readSummary, summaryKey, summaryText, type SummaryStore } from './blobSummaries';
import { MAX_SAMPLES } from './accumulateWindow';
import { BlobWindowScan } from './blobWindowScan';
import type { BlobTally } from './inferenceBlobScan';
import { isInferenceBlobName } from './inferenceBlobName';
import { INFERENCE_CONTAINER } from './inferenceRecord';
import { servingBaseline, servingRelease, type MonitorDeps } from './runMonitor';

export type ArrivalDeps = Pick<MonitorDeps, 'config' | 'data' | 'prod' | 'engine' | 'clock' | 'artifactsContainer'>;

/** What became of one arrived blob for one pipeline whose prod endpoint it belongs to. */
export type ArrivalOutcome = { pipeline: string } &
  /** Summarised and stored; `malformed` lines are in the summary, and the runs report them as if they had read the blob. */
  (
    | { kind: 'stored'; deployment: string; records: number; malformed: number; firstMalformed?: string }
    /** This version of the blob already has its summary (a duplicate or retried event). */
    | { kind: 'present'; deployment: string }
    /** Nothing to summarise against, or no run would ever list the blob. */
    | { kind: 'skipped'; reason: string }
    /** The blob cannot be summarised whole; the runs read it (and report its lines) as before. */
    | { kind: 'unsummarised'; reason: string }
  );

export type ArrivalResult = { kind: 'ignored'; reason: string } | { kind: 'handled'; outcomes: ArrivalOutcome[] };

/**
 * A new inference blob, summarised when it arrives (BlobCreated on `inference-data`) for each
 * pipeline whose prod endpoint it belongs to, against that pipeline's serving baseline and
 * deployment: the summary a monitor run would store after reading it whole (blobSummaries.ts,
 * same key, same content), so the runs merge it instead of reading the blob. A blob's records
 * are all inside the summary (no window cuts it here); a run still uses the summary only when its
 * window holds all of them. Idempotent and order-free: the summary names the version it read,
 * and a run ignores one whose eTag is not the blob's.
 */
export async function summariseArrival(blobName: string, deps: ArrivalDeps): Promise<ArrivalResult> {
  // The name becomes part of the summary's path: only the collector's plain shape is taken.
  if (!isInferenceBlobName(blobName))
    return {
      kind: 'ignored',
      reason: "not an inference blob name of the collector's shape (<endpoint>/<yyyy>/<mm>/<dd>/<hh>/<name>.jsonl)",
    };
  const endpoint = blobName.slice(0, blobName.indexOf('/'));
  const pipelines = Object.keys(deps.config.pipelines).filter((p) => endpointName(p, 'prod') === endpoint);
  if (pipelines.length === 0) return { kind: 'ignored', reason: `no pipeline's prod endpoint is ${endpoint}` };
  const outcomes: ArrivalOutcome[] = [];
  for (const pipeline of pipelines) outcomes.push({ pipeline, ...(await summariseFor(pipeline, blobName, deps)) } as ArrivalOutcome);
  return { kind: 'handled', outcomes };
}

type Outcome = ArrivalOutcome extends infer O ? (O extends { pipeline: string } ? Omit<O, 'pipeline'> : never) : never;

async function summariseFor(pipeline: string, blobName: string, deps: ArrivalDeps): Promise<Outcome> {
  const windowMs = deps.config.pipelines[pipeline]!.monitoring.windowMinutes * 60_000;
  // Runs list the hour partitions overlapping their window: one wholly before it is never listed again.
  if (hourEnd(blobName) <= deps.clock.now().getTime() - windowMs)
    return { kind: 'skipped', reason: "its hour lies before the monitor's window" };
  const serving = await servingRelease(pipeline, deps);
  if (!serving) return { kind: 'skipped', reason: 'no model with a baseline serves the endpoint' };
  const { deployment } = serving;
  const { content, baseline } = await servingBaseline(serving, deps);
  const store: SummaryStore = { data: deps.data, container: deps.artifactsContainer, key: summaryKey(content, deployment) };
  const ref = { container: INFERENCE_CONTAINER, name: blobName };
  const current = await deps.data.getInfo(ref);
  if (!current) return { kind: 'skipped', reason: 'the blob is gone' };
  if (await readSummary(store, baseline, current)) return { kind: 'present', deployment };
  let stream: Awaited<ReturnType<ArrivalDeps['data']['readStream']>>;
  try {
    stream = await deps.data.readStream(ref);
  } catch (error) {
    if (error instanceof NotFoundError) return { kind: 'skipped', reason: 'the blob is gone' };
    throw error;
  }
  // Every record counts (no window here), scanned exactly as a run's reading scans it.
  const scan = new BlobWindowScan({
    baseline,
    predictionColumn: PREDICTION_COLUMN,
    deployment,
    from: -Infinity,
    to: Infinity,
    maxSamples: MAX_SAMPLES,
  });
  scan.begin(blobName);
  for await (const chunk of stream.chunks) scan.feed(chunk);
  const { tally, window } = scan.end();
  const read: BlobInfo = { ...current, eTag: stream.info.eTag || current.eTag };
  const summary = summaryText(store, read, tally, window);
  if (!summary) return { kind: 'unsummarised', reason: unsummarisable(tally) };
  await deps.data.write({ container: store.container, name: summary.name }, summary.text, { contentType: 'application/json' });
  const first = tally.malformedSamples[0];
  return {
    kind: 'stored',
    deployment,
    records: tally.records,
    malformed: tally.malformed,
    ...(first ? { firstMalformed: `line ${first.line}: ${first.reason}` } : {}),
  };
}

function unsummarisable(tally: BlobTally): string {
  const first = tally.malformedSamples[0];
  if (tally.outsideRange > 0) return `${tally.outsideRange} records have a time that cannot be read`;
  if (tally.records === 0 && tally.malformed > 0)
    return `no line is an inference record (${tally.malformed} malformed; first: line ${first?.line}: ${first?.reason})`;
  return tally.records === 0 ? 'it holds no records' : 'its version (eTag) is unknown';
}

/** The end (ms) of the UTC hour partition a collector blob name lies in. */
function hourEnd(blobName: string): number {
  const [, y, m, d, h] = blobName.split('/').map(Number);
  return Date.UTC(y!, m! - 1, d!, h! + 1);
}
