/**
 * @module Section 7: a monitor run over 1,000,000 inference rows x 20 features, inside the
 * running stack. The embedded stack trains a model on 20,000 rows (its release stores the
 * baseline), 1,000,000 inference records are written to Azurite in the collector's layout through
 * the blob port clients use, so each write raises BlobCreated and the host's inferenceBlobCreated
 * summarises the blob as it arrives (its cost measured: the function's own wall and CPU per blob,
 * and the host's CPU meanwhile). Then POST /api/monitors/drift/run is timed while the host
 * process's RSS is sampled from /proc: first the run that merges the arrival summaries, then the
 * same window cold (summaries deleted, every blob read), which must report the same. Then one more
 * blob of the same size arrives and the oldest leaves the window (an hourly monitor's next run, on
 * the real clock within a few minutes), and the warm run is timed, then once more cold on that same
 * window to check that both give the same report. scipy (`ks_2samp`, `wasserstein_distance`,
 * `jensenshannon`) computes the same statistics on each window's values in the same run.
 * `node --import tsx bench/driftStats.ts` runs it alone.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { startChildStack } from '../devhost/childStack';
import type { MonitorRun } from '../shared/monitoring/runMonitor';
import { INFERENCE_CONTAINER } from '../shared/monitoring/inferenceRecord';
import { BaselineProfile, createWindowProfile, type NumericProfile } from '../shared/monitoring/stats';
import { BlobDataStore } from '../adapters/azure/storage/BlobDataStore';
import { PREDICTION_COLUMN } from '../shared/monitoring/baseline';
import { readInferenceRecords } from '../shared/monitoring/readInferenceRecords';
import { scanInferenceWindow } from '../shared/monitoring/scanInferenceWindow';
import { BenchClient } from './client';
import { CARDINALITY, csvLines, FEATURES, generateRows, inferenceBlob, NUMERIC } from './driftData';
import { SCIPY } from './driftScipy';
import { deleteSummaries, rssMb, sameReport, slideWindowColumns, timedMonitorRun, writeScipyInputs } from './driftWarmRun';
import { ArrivalLog, processCpuSeconds, waitForSummaries, type ArrivalCosts } from './driftArrival';

const ROOT = resolve(__dirname, '..');
const SAMPLE_ENDPOINT = 'drift-sample';
const SAMPLE_BLOBS = 3;
const PYTHON = '/usr/bin/python3';

export interface DriftStatsBench {
  trainingRows: number;
  baselineRows: number;
  windowRows: number;
  features: number;
  blobs: number;
  inferenceMegabytes: number;
  /** POST /api/monitors/drift/run, request to answer, cold: no summary stored, every blob read. */
  runSeconds: number;
  rowsRead: number;
  /** The host's RSS just before the run, and the largest sampled during it (every 20 ms). */
  rssBeforeMb: number;
  rssPeakMb: number;
  /** In the bench process, on the same sample blobs from Azurite: the previous reader (JSON.parse + schema + add) and the streamed one. */
  readers: { rows: number; parsedMicroseconds: number; streamedMicroseconds: number; sameWindow: boolean };
  driftedFeatures: string[];
  scipy:
    | { skipped: string }
    | {
        seconds: number;
        ratio: number;
        version: string;
        maxKsDifference: number;
        maxWassersteinDifference: number;
        maxJsDifference: number;
      };
  /** The blobs summarised by inferenceBlobCreated as they were written, then the monitor run that merged them. */
  arrival: {
    /** As the function logged it per invocation (wall, and the host process's CPU during it). */
    costs: ArrivalCosts;
    /** The host process's CPU from the first upload to the last summary (includes proxying 446 MB of uploads). */
    hostCpuSeconds: number;
    /** From the last upload's answer to its summary being stored. */
    lastSummaryLagSeconds: number;
    /** Host RSS before the uploads and its peak while they were summarised. */
    rssBeforeMb: number;
    rssPeakMb: number;
    /** The monitor run after it: summaries merged. */
    runSeconds: number;
    runRssBeforeMb: number;
    runRssPeakMb: number;
    reading: NonNullable<MonitorRun['reading']>;
    /** Whether the cold run (summaries deleted) reported exactly what this run did. */
    sameAsCold: boolean;
  };
  /** The next run after one more blob arrived and the oldest left the window: summaries merged, one blob read. */
  warm: {
    runSeconds: number;
    rowsRead: number;
    rssBeforeMb: number;
    rssPeakMb: number;
    /** A cold run (summaries deleted) on the same slid window, and whether it reported exactly what the warm run did. */
    coldSeconds: number;
    sameAsCold: boolean;
    /** What the warm run read: blobs listed, summaries merged instead of reading. */
    reading: NonNullable<MonitorRun['reading']>;
    scipy: { skipped: string } | { seconds: number; ratio: number };
  };
}

export interface DriftStatsBenchOptions {
  /** @default 20_000 */ trainingRows?: number;
  /** @default 1_000_000 */ windowRows?: number;
  /** @default 42 */ seed?: number;
}

const ScipyOutput = z.object({
  ks: z.array(z.number()),
  wasserstein: z.array(z.number()),
  js: z.array(z.number()),
  seconds: z.number(),
  version: z.string(),
});

/** The monitor's window (bench/drift.yaml: the default 60 minutes). */
const WINDOW_MS = 60 * 60_000;
/** How long after its upload the oldest blob still lies inside the window: enough for the last summary, the run from summaries and the cold run to start. */
const OLDEST_MARGIN_MS = 90_000;
const CHUNK_ROWS = 20_000;

export async function benchDriftStats(options: DriftStatsBenchOptions = {}): Promise<DriftStatsBench> {
  const trainingRows = options.trainingRows ?? 20_000;
  const windowRows = options.windowRows ?? 1_000_000;
  const seed = options.seed ?? 42;
  const dir = mkdtempSync(join(tmpdir(), 'autopilot-bench-drift-'));
  // AUTOPILOT_BENCH_CPU_PROF=<dir>: the host writes a CPU profile there when it stops (how section 7 was profiled).
  const profileDir = process.env.AUTOPILOT_BENCH_CPU_PROF;
  const stack = await startChildStack(
    join(ROOT, 'bench/drift.yaml'),
    profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {},
  );
  try {
    const client = new BenchClient(stack);
    await client.init();
    let csv = '';
    await generateRows(dir, 'baseline', trainingRows, seed, async (chunk, first) => void (csv += csvLines(chunk, first === 0)));
    await client.upload('drift/train.csv', csv);
    const release = await client.settledReleaseOf('drift/train.csv', 300_000);
    if (release.status !== 'succeeded' || !release.data?.profileBlob || !release.deployments.prod)
      throw new Error(`the drift pipeline's release ended ${release.status}: ${release.reason ?? ''}`);
    const storage = BlobServiceClient.fromConnectionString(stack.connectionString);
    const profile = BaselineProfile.parse(
      JSON.parse(
        (await storage.getContainerClient('autopilot-artifacts').getBlobClient(release.data.profileBlob).downloadToBuffer()).toString(
          'utf8',
        ),
      ),
    );

    const inference = storage.getContainerClient(INFERENCE_CONTAINER);
    await inference.createIfNotExists();
    const where = {
      endpoint: 'drift-prod',
      deployment: release.deployments.prod.deployment,
      model: release.deployments.prod.model,
      from: Date.now() - 50 * 60_000,
      spanMs: 30 * 60_000,
      totalRows: windowRows,
    };
    let blobs = 0;
    let bytes = 0;
    const upload = async (blob: { name: string; text: string }) => {
      await inference.getBlockBlobClient(blob.name).upload(blob.text, Buffer.byteLength(blob.text));
      blobs++;
      bytes += Buffer.byteLength(blob.text);
    };
    // The first blob is the oldest, and leaves the window soon after the cold run: written last, timed from then.
    let first: Parameters<typeof inferenceBlob>[0] | undefined;
    // Each upload raises BlobCreated; the host summarises the blob meanwhile (functions/inferenceArrival.ts).
    const arrivalLog = new ArrivalLog(() => stack.output(), `${where.endpoint}/`);
    const cpuBefore = processCpuSeconds(stack.pid);
    const arrivalRssBefore = rssMb(stack.pid);
    let arrivalRssPeak = arrivalRssBefore;
    const rssSampler = setInterval(() => (arrivalRssPeak = Math.max(arrivalRssPeak, rssMb(stack.pid))), 20);
    await generateRows(dir, 'window', windowRows, seed + 1, async (chunk, firstRow) => {
      // The first blobs again under an endpoint of their own, for the in-process before/after below.
      if (firstRow < SAMPLE_BLOBS * CHUNK_ROWS) {
        const sample = inferenceBlob(chunk, firstRow, { ...where, endpoint: SAMPLE_ENDPOINT });
        await inference.getBlockBlobClient(sample.name).upload(sample.text, Buffer.byteLength(sample.text));
      }
      if (firstRow === 0) first = chunk;
      else await upload(inferenceBlob(chunk, firstRow, where));
    });
    const oldestFrom = Date.now() - WINDOW_MS + OLDEST_MARGIN_MS;
    await upload(inferenceBlob(first!, 0, { ...where, from: oldestFrom }));
    const oldestEnd = oldestFrom + Math.ceil((CHUNK_ROWS / windowRows) * where.spanMs);
    const window = { blobs, megabytes: bytes / 2 ** 20 };
    const uploaded = performance.now();
    const artifacts = storage.getContainerClient('autopilot-artifacts');
    await waitForSummaries(artifacts, `${where.endpoint}/`, blobs, 300_000);
    const lastSummaryLagSeconds = (performance.now() - uploaded) / 1000;
    clearInterval(rssSampler);
    const hostCpuSeconds = processCpuSeconds(stack.pid) - cpuBefore;
    const costs = arrivalLog.stop();

    // The host settles (scoring servers started, timers quiet) before the baseline RSS.
    await new Promise((r) => setTimeout(r, 3000));
    const merged = await timedMonitorRun(stack);
    if (merged.run.rows !== windowRows) throw new Error(`the run from arrival summaries read ${merged.run.rows} rows, not ${windowRows}`);
    await deleteSummaries(artifacts);
    await new Promise((r) => setTimeout(r, 3000));
    const cold = await timedMonitorRun(stack);
    const { run } = cold;
    if (run.rows !== windowRows)
      throw new Error(
        `the cold run read ${run.rows} rows, not ${windowRows}: the oldest blob left the window before it started (uploads too slow?)`,
      );
    const report = run.report!;
    const runSeconds = cold.seconds;

    const readers = await compareReaders(new BlobDataStore(storage), profile, new Date(where.from).toISOString(), new Date().toISOString());
    const numeric = profile.features.filter((f): f is NumericProfile => f.type === 'numeric');
    const categories = profile.features.flatMap((f) =>
      f.type === 'categorical' ? [f.categories.map((c) => Number(c.value.split('_')[1]))] : [],
    );
    const scipyMeta = { numeric: NUMERIC, cardinality: CARDINALITY, edges: numeric.map((f) => f.binEdges), categories };
    const scipy = runScipy(
      dir,
      scipyMeta,
      report.features.filter((f) => FEATURES.includes(f.feature)),
      trainingRows,
      windowRows,
      runSeconds,
    );

    // One more blob of the same size arrives (times in the last minute), then the oldest leaves the window.
    const addedDir = join(dir, 'added');
    mkdirSync(addedDir);
    await generateRows(addedDir, 'window', CHUNK_ROWS, seed + 2, async (chunk) =>
      upload(inferenceBlob(chunk, 0, { ...where, from: Date.now() - 40_000, spanMs: 30_000, totalRows: CHUNK_ROWS })),
    );
    // `blobs` counts the new one too.
    await waitForSummaries(artifacts, `${where.endpoint}/`, blobs, 120_000);
    const leaves = oldestEnd + WINDOW_MS + 2000 - Date.now();
    if (leaves > 0) await new Promise((r) => setTimeout(r, leaves));
    const warm = await timedMonitorRun(stack);
    if (warm.run.rows !== windowRows || warm.run.unreadable.outsideRange !== CHUNK_ROWS) {
      throw new Error(
        `the warm run read ${warm.run.rows} rows (${warm.run.unreadable.outsideRange} outside its window), not ${windowRows} (${CHUNK_ROWS})`,
      );
    }
    await deleteSummaries(artifacts);
    const coldAgain = await timedMonitorRun(stack);
    const slidDir = join(dir, 'slid');
    slideWindowColumns(dir, addedDir, slidDir, CHUNK_ROWS);
    const warmScipy = runScipy(
      slidDir,
      scipyMeta,
      warm.run.report!.features.filter((f) => FEATURES.includes(f.feature)),
      trainingRows,
      windowRows,
      warm.seconds,
    );
    return {
      trainingRows,
      baselineRows: profile.rows,
      windowRows,
      features: FEATURES.length,
      blobs: window.blobs,
      inferenceMegabytes: window.megabytes,
      runSeconds,
      rowsRead: run.rows,
      rssBeforeMb: cold.rssBeforeMb,
      rssPeakMb: cold.rssPeakMb,
      readers,
      driftedFeatures: report.features.filter((f) => f.breached.length > 0).map((f) => `${f.feature} (${f.breached.join(', ')})`),
      scipy,
      arrival: {
        costs,
        hostCpuSeconds,
        lastSummaryLagSeconds,
        rssBeforeMb: arrivalRssBefore,
        rssPeakMb: arrivalRssPeak,
        runSeconds: merged.seconds,
        runRssBeforeMb: merged.rssBeforeMb,
        runRssPeakMb: merged.rssPeakMb,
        reading: merged.run.reading ?? { blobs: NaN, summariesMerged: NaN, summariesWritten: NaN, summariesUnwritten: NaN },
        sameAsCold: sameReport(merged.run, run),
      },
      warm: {
        runSeconds: warm.seconds,
        rowsRead: warm.run.rows,
        rssBeforeMb: warm.rssBeforeMb,
        rssPeakMb: warm.rssPeakMb,
        coldSeconds: coldAgain.seconds,
        sameAsCold: sameReport(warm.run, coldAgain.run),
        reading: warm.run.reading ?? { blobs: NaN, summariesMerged: NaN, summariesWritten: NaN, summariesUnwritten: NaN },
        scipy: 'skipped' in warmScipy ? warmScipy : { seconds: warmScipy.seconds, ratio: warmScipy.ratio },
      },
    };
  } catch (error) {
    console.error(`embedded stack: ${stack.exitReason() ?? 'still running'}; its last output:\n${stack.output().slice(-4000)}`);
    throw error;
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Before and after, in process on the same sample: per record, reading with readInferenceRecords
 * (each blob whole, JSON.parse and the zod schema per line, a row object per record) and adding
 * to a window, against scanInferenceWindow + addCells; and whether both windows are the same.
 */
async function compareReaders(
  data: BlobDataStore,
  profile: BaselineProfile,
  from: string,
  to: string,
): Promise<DriftStatsBench['readers']> {
  const parsed = createWindowProfile(profile);
  let started = performance.now();
  const records = readInferenceRecords(data, SAMPLE_ENDPOINT, from, to);
  for await (const r of records) parsed.add({ ...r.input, [PREDICTION_COLUMN]: r.prediction });
  const parsedMs = performance.now() - started;
  const streamed = createWindowProfile(profile);
  started = performance.now();
  await scanInferenceWindow(
    data,
    SAMPLE_ENDPOINT,
    from,
    to,
    streamed.cellColumns,
    PREDICTION_COLUMN,
    (cells) => void streamed.addCells(cells.kinds, cells.numbers, cells.others),
  );
  const streamedMs = performance.now() - started;
  const rows = parsed.rowCount;
  return {
    rows,
    parsedMicroseconds: (parsedMs * 1000) / rows,
    streamedMicroseconds: (streamedMs * 1000) / rows,
    sameWindow: JSON.stringify(parsed.toJSON()) === JSON.stringify(streamed.toJSON()),
  };
}

type FeatureDriftOf = MonitorRun['report'] extends infer R ? (R extends { features: (infer F)[] } ? F : never) : never;

/** scipy on the same training rows and window (from the binary columns), timed from loaded arrays to statistics. */
function runScipy(
  dir: string,
  meta: object,
  ours: FeatureDriftOf[],
  trainingRows: number,
  windowRows: number,
  oursSeconds: number,
): DriftStatsBench['scipy'] {
  const probe = spawnSync(PYTHON, ['-c', 'import scipy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { skipped: 'skipped: scipy not installed (apt-get install python3-scipy)' };
  writeScipyInputs(dir, { ...meta, rows: { baseline: trainingRows, window: windowRows } }, SCIPY);
  const run = spawnSync(PYTHON, [join(dir, 'stats.py'), dir, join(dir, 'meta.json')], {
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0)
    return {
      skipped: `skipped: the scipy run failed (${run.error?.message ?? `exit ${run.status}`}): ${run.stderr.trim().split('\n').at(-1) ?? ''}`,
    };
  const s = ScipyOutput.parse(JSON.parse(run.stdout.trim().split('\n').at(-1)!));
  const byName = (name: string) => ours.find((f) => f.feature === name)!;
  const diff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
  const numericNames = FEATURES.slice(0, NUMERIC);
  return {
    seconds: s.seconds,
    ratio: oursSeconds / s.seconds,
    version: s.version,
    maxKsDifference: diff(
      numericNames.map((n) => byName(n).metrics.ks!.statistic),
      s.ks,
    ),
    maxWassersteinDifference: diff(
      numericNames.map((n) => byName(n).metrics.wasserstein!),
      s.wasserstein,
    ),
    maxJsDifference: diff(
      FEATURES.map((n) => byName(n).metrics.jensenShannon),
      s.js,
    ),
  };
}

if (require.main === module) {
  const [windowRows] = process.argv.slice(2).map(Number);
  void benchDriftStats(windowRows ? { windowRows } : {}).then((r) => console.log(JSON.stringify(r, null, 2)));
}
