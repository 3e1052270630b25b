import { endpointName, type AutopilotConfig } from '../config/schema';
import { AlreadyExistsError, ConcurrencyError } from '../errors';
import type { Clock, DataStore, EventPublisher, Logger, StateTable, WorkspaceRoles } from '../ports';
import type { ReleaseEngine } from '../release/engine';
import { PREDICTION_COLUMN } from './baseline';
import { assessModelQuality, type LabelledRow, type ModelQualityReport, type ScoredRow } from './modelQuality';
import { accumulateInferenceWindow } from './accumulateWindow';
import { summaryKey } from './blobSummaries';
import type { BlobScanPool } from './blobScanPool';
import { GROUND_TRUTH_CONTAINER, type InferenceRecord } from './inferenceRecord';
import { importCollected } from './importCollected';
import { buildRetrainingSet } from './retrainingSet';
import { driftScores } from './driftScores';
import { BaselineProfile, compareToBaseline, type DriftReport } from './stats';
import { servingDeployment } from '../endpoints/servingDeployment';
import { outgoingEvent, type OutgoingEventData } from '../events/outgoing';

export interface MonitorDeps {
  config: AutopilotConfig;
  data: DataStore;
  table: StateTable;
  /** Prod's endpoints (which model serves) and, on Azure, the data its collector wrote. */
  prod: Pick<WorkspaceRoles, 'endpoints' | 'collected'>;
  engine: ReleaseEngine;
  events: EventPublisher;
  clock: Clock;
  logger: Logger;
  artifactsContainer: string;
  /** Scans blobs on other threads, several at once (adapters/worker); without it, on this thread. */
  scanPool?: BlobScanPool;
}

/** `model-quality` (labels say the model got worse) and `drift` retrain; `data-quality` only notifies: retraining cannot fix broken inputs. */
export type MonitorOutcome = 'ok' | 'drift' | 'model-quality' | 'data-quality' | 'insufficient-data' | 'no-model';

export interface MonitorRun {
  id: string;
  pipeline: string;
  at: string;
  /** `external`: Azure ML's DatasetDriftDetected or an Azure Monitor drift alert. */
  trigger: 'schedule' | 'manual' | 'external';
  endpoint: string;
  deployment?: string;
  model?: { name: string; version: number };
  releaseId?: string;
  window: { from: string; to: string };
  rows: number;
  /** Inference data that could not be read: counted, never a crash or a silent pass. */
  unreadable: { malformedLines: number; outsideRange: number; vanishedBlobs: number; samples: string[] };
  /** How the window was read: blobs listed, and per-blob summaries merged instead of reading (and stored for the next runs). */
  reading?: { blobs: number; summariesMerged: number; summariesWritten: number; summariesUnwritten: number };
  outcome: MonitorOutcome;
  reasons: string[];
  report?: DriftReport;
  quality?: Omit<ModelQualityReport, 'rows'>;
  retrain?: { releaseId: string; rows: number; sources: string[] } | { skipped: string };
}

/** Retraining bookkeeping per pipeline: one drift episode, one retrain. */
interface EpisodeState {
  consecutiveDrift: number;
  episodeOpen: boolean;
  lastRetrainAt?: string;
  lastRunAt?: string;
}

/** Scored rows kept for joining labels; beyond this the oldest part of a huge window is not joined (bounded memory). */
const MAX_JOINABLE_ROWS = 200_000;

const RUNS = (pipeline: string) => `monitor-${pipeline}`;
const STATE = 'monitor-state';
/** Row keys that sort newest first. */
const newestFirst = (at: Date) => String(9_999_999_999_999 - at.getTime()).padStart(13, '0');

/**
 * One monitor run of a pipeline's prod endpoint: its inference data of the last window
 * against the serving model's baseline (drift and data quality), stored with its report;
 * a breach publishes a CloudEvent, and drift that persists starts one retraining release.
 */
export async function runMonitor(pipeline: string, deps: MonitorDeps, trigger: MonitorRun['trigger']): Promise<MonitorRun> {
  const policy = deps.config.pipelines[pipeline]!;
  const now = deps.clock.now();
  const run = newRun(pipeline, trigger, new Date(now.getTime() - policy.monitoring.windowMinutes * 60_000), now);
  const { endpoint } = run;
  const from = run.window.from;
  const serving = await servingRelease(pipeline, deps);
  if (!serving) {
    run.reasons.push(`no model with a baseline serves ${endpoint}`);
    // The run counts toward the interval like any other: the schedule looks again when it is due, not every tick.
    await updateEpisode(run, deps, now, (state) => ({ state, act: false }));
    return store(run, deps);
  }
  Object.assign(run, { deployment: serving.deployment, model: serving.model, releaseId: serving.releaseId });
  const { content, baseline } = await servingBaseline(serving, deps);
  const collected = await importCollected(deps.data, deps.prod.collected, endpoint, from, run.window.to, policy.monitoring.excludeColumns);
  // Scored rows are kept only to join labels: without label files since the window began
  // (assessModelQuality lists the same ones) none is kept, and memory stays at the window's statistics.
  const joinLabels = (await deps.data.list(GROUND_TRUTH_CONTAINER, `${pipeline}/`)).some((b) => (b.lastModified ?? '') >= from);
  const scored = new Map<string, ScoredRow>();
  const servedBy = serving.deployment;
  // Blobs already summarised for this baseline and deployment are merged, not read again (a sliding
  // window re-reads most of its blobs every run); joining labels needs every row, so it reads them all.
  const { window, stats, summaries } = await accumulateInferenceWindow({
    data: deps.data,
    endpoint,
    from,
    to: run.window.to,
    baseline,
    predictionColumn: PREDICTION_COLUMN,
    deployment: servedBy,
    ...(joinLabels ? {} : { summaries: { data: deps.data, container: deps.artifactsContainer, key: summaryKey(content, servedBy) } }),
    // Joining labels needs records, parsed on this thread; statistics alone go to the pool's threads.
    ...(joinLabels
      ? {
          onRecord: (line: () => InferenceRecord) => {
            if (scored.size >= MAX_JOINABLE_ROWS) return;
            const record = line();
            scored.set(record.requestId, { prediction: record.prediction, probabilities: record.probabilities, input: record.input });
          },
        }
      : deps.scanPool
        ? { pool: deps.scanPool }
        : {}),
  });
  run.unreadable = {
    malformedLines: stats.malformed,
    outsideRange: stats.outsideRange,
    vanishedBlobs: stats.vanishedBlobs,
    samples: stats.malformedSamples.map((m) => `${m.blob}:${m.line}: ${m.reason}`),
  };
  run.rows = window.rowCount;
  run.reading = {
    blobs: stats.blobs,
    summariesMerged: summaries.merged,
    summariesWritten: summaries.written,
    summariesUnwritten: summaries.unwritten,
  };
  // compareToBaseline corrects the KS and chi-squared p-values for the number of columns tested
  // (Holm), so a run's chance of a false alarm stays at α = 1%, not 1% per column.
  const comparison = { thresholds: { ...policy.monitoring.thresholds }, features: policy.monitoring.features };
  const report = compareToBaseline(baseline, window, comparison);
  run.report = report;
  run.reasons = [...report.reasons];
  // After `run.reasons = [...report.reasons]`, which would drop it.
  if (collected?.uncollectable)
    run.reasons.push(`${collected.uncollectable} collected events could not be read (${collected.reasons.join('; ')})`);
  if (collected?.failed) run.reasons.push(collected.failed);
  if (collected?.synthetic)
    run.reasons.push(
      `${collected.synthetic} collected requests were the autopilot's own replayed held-out rows (canary or shadow load), left out`,
    );
  if (stats.malformed > 0)
    run.reasons.push(`${stats.malformed} inference data lines could not be read (first: ${run.unreadable.samples[0] ?? 'n/a'})`);
  const quality = await assessModelQuality(pipeline, policy, deps.data, scored, serving.expected, from);
  const { rows: labelled, ...qualitySummary } = quality;
  run.quality = qualitySummary;
  run.reasons.push(...quality.reasons.map((r) => `model quality: ${r}`));
  const outcome = quality.degraded
    ? 'model-quality'
    : report.insufficientData
      ? 'insufficient-data'
      : report.drifted
        ? 'drift'
        : report.dataQualityDegraded
          ? 'data-quality'
          : 'ok';
  run.outcome = outcome;
  if (outcome !== 'ok' && outcome !== 'insufficient-data') {
    await announce(run, outcome, deps, {
      deployment: run.deployment,
      model: run.model,
      rows: run.rows,
      // The figures behind the reasons, for machines (dashboards, telemetry): every metric compared, drifted or not.
      ...(run.outcome === 'drift' ? { features: driftScores(report, comparison) } : {}),
    });
  }
  run.retrain = await reactToDrift(run, deps, now, labelled);
  return store(run, deps);
}

/**
 * Drift reported by someone else (Azure ML dataset monitors, an Azure Monitor drift alert):
 * recorded and announced like our own, and fed to the same retraining policy. It counts as
 * confirmed (their monitor already windowed it), so no debounce; one episode, one retrain.
 */
export async function signalDrift(pipeline: string, deps: MonitorDeps, source: string, reason: string): Promise<MonitorRun> {
  const now = deps.clock.now();
  const run = { ...newRun(pipeline, 'external', now, now), outcome: 'drift' as const, reasons: [`${source}: ${reason}`] };
  await announce(run, 'drift', deps, { external: source });
  run.retrain = await reactToDrift(run, deps, now, [], true);
  return store(run, deps);
}

function newRun(pipeline: string, trigger: MonitorRun['trigger'], from: Date, now: Date): MonitorRun {
  return {
    id: `${pipeline}-${now.toISOString().replace(/[-:.]/g, '')}${trigger === 'external' ? '-external' : ''}`,
    pipeline,
    at: now.toISOString(),
    trigger,
    endpoint: endpointName(pipeline, 'prod'),
    window: { from: from.toISOString(), to: now.toISOString() },
    rows: 0,
    unreadable: { malformedLines: 0, outsideRange: 0, vanishedBlobs: 0, samples: [] },
    outcome: 'no-model',
    reasons: [],
  };
}

type DriftDetectedData = OutgoingEventData<'autopilot.DriftDetected'>;

/** The CloudEvent of a run that found drift or degraded quality; `details` beyond the run's own fields. */
async function announce(
  run: MonitorRun,
  outcome: 'drift' | 'data-quality' | 'model-quality',
  deps: MonitorDeps,
  details: Omit<DriftDetectedData, 'pipeline' | 'endpoint' | 'outcome' | 'reasons'>,
): Promise<void> {
  const attributes = {
    id: `${run.id}:${outcome}`,
    source: `/autopilot/pipelines/${run.pipeline}`,
    subject: `monitors/${run.id}`,
    time: run.at,
  };
  const base = { pipeline: run.pipeline, endpoint: run.endpoint, reasons: run.reasons };
  await deps.events.publish([
    outcome === 'drift'
      ? outgoingEvent('autopilot.DriftDetected', attributes, { ...base, outcome, ...details })
      : // Drift figures (`features`, `external`) belong to drift events only.
        outgoingEvent('autopilot.QualityDegraded', attributes, {
          ...base,
          outcome,
          deployment: details.deployment,
          model: details.model,
          rows: details.rows,
        }),
  ]);
}

const RETRAINS_ON: readonly MonitorOutcome[] = ['drift', 'model-quality'];

async function reactToDrift(
  run: MonitorRun,
  deps: MonitorDeps,
  now: Date,
  labelled: LabelledRow[],
  confirmed = false,
): Promise<MonitorRun['retrain']> {
  const policy = deps.config.pipelines[run.pipeline]!.monitoring.retrain;
  const decision = await updateEpisode(run, deps, now, (state) => {
    // Too little data is no evidence of drift: it breaks a run of drifted results (debounce
    // starts over) but does not end an episode that a retrain already answered.
    if (run.outcome === 'insufficient-data') return { state: { ...state, consecutiveDrift: 0 }, act: false };
    if (!RETRAINS_ON.includes(run.outcome)) return { state: { ...state, consecutiveDrift: 0, episodeOpen: false }, act: false };
    const consecutiveDrift = confirmed ? Math.max(state.consecutiveDrift + 1, policy.debounceRuns) : state.consecutiveDrift + 1;
    const cooled = !state.lastRetrainAt || now.getTime() - Date.parse(state.lastRetrainAt) >= policy.coolDownMinutes * 60_000;
    const act = policy.enabled && !state.episodeOpen && consecutiveDrift >= policy.debounceRuns && cooled;
    return {
      state: {
        ...state,
        consecutiveDrift,
        episodeOpen: state.episodeOpen || act,
        lastRetrainAt: act ? now.toISOString() : state.lastRetrainAt,
      },
      act,
      consecutiveDrift,
      cooled,
    };
  });
  if (!RETRAINS_ON.includes(run.outcome)) return undefined;
  if (!decision.act) {
    const why = !policy.enabled
      ? 'retraining disabled by policy'
      : decision.previous.episodeOpen
        ? 'this drift episode already started a retrain'
        : !decision.cooled
          ? `cooling down (${policy.coolDownMinutes} min since the last retrain)`
          : `drifted ${decision.consecutiveDrift} of ${policy.debounceRuns} consecutive runs before retraining`;
    return { skipped: why };
  }
  const set = await buildRetrainingSet(
    run.pipeline,
    deps.config.pipelines[run.pipeline]!,
    deps.data,
    deps.artifactsContainer,
    now,
    labelled,
  );
  if (!set) return reopenEpisode(run, deps, now, decision.previous, 'no training data in the retraining window');
  const result = await deps.engine.startFromBlob(
    run.pipeline,
    set.blob,
    { kind: 'drift', eventId: run.id, note: run.reasons.slice(0, 3).join('; ') },
    `drift|${run.id}`,
  );
  if (result.kind === 'ignored') return reopenEpisode(run, deps, now, decision.previous, result.reason);
  deps.logger.info(`monitor ${run.id}: drift persisted, started retraining release ${result.release.id}`, { pipeline: run.pipeline });
  return { releaseId: result.release.id, rows: set.rows, sources: set.sources };
}

/**
 * Nothing was retrained after all: the episode stays open for the next drifted run (new data
 * may have come) and no cool-down starts. Only undone while the state is still the one this
 * run wrote; a later run's decision stands.
 */
async function reopenEpisode(
  run: MonitorRun,
  deps: MonitorDeps,
  now: Date,
  previous: EpisodeState,
  skipped: string,
): Promise<MonitorRun['retrain']> {
  await updateEpisode(run, deps, now, (state) =>
    state.episodeOpen && state.lastRetrainAt === now.toISOString()
      ? { state: { ...state, episodeOpen: false, lastRetrainAt: previous.lastRetrainAt }, act: false }
      : { state, act: false },
  );
  return { skipped };
}

async function updateEpisode<E extends { act: boolean }>(
  run: MonitorRun,
  deps: MonitorDeps,
  now: Date,
  change: (state: EpisodeState) => E & { state: EpisodeState },
): Promise<E & { previous: EpisodeState }> {
  for (let attempt = 0; ; attempt++) {
    const row = await deps.table.get<EpisodeState>(STATE, run.pipeline);
    const previous = row?.value ?? { consecutiveDrift: 0, episodeOpen: false };
    const decided = change(previous);
    const next = { ...decided.state, lastRunAt: now.toISOString() };
    try {
      if (row) await deps.table.replace(STATE, run.pipeline, next, row.etag);
      else await deps.table.insert(STATE, run.pipeline, next);
      return { ...decided, previous };
    } catch (error) {
      if (!(error instanceof ConcurrencyError || error instanceof AlreadyExistsError) || attempt >= 10) throw error;
    }
  }
}

/** The release whose deployment serves most of the prod endpoint, if it left a baseline. */
export async function servingRelease(pipeline: string, deps: Pick<MonitorDeps, 'prod' | 'engine'>) {
  const endpoint = await deps.prod.endpoints.getEndpoint(endpointName(pipeline, 'prod'));
  const deployment = endpoint && servingDeployment(endpoint.traffic);
  if (!deployment) return undefined;
  const releases = await deps.engine.repo.list({ pipeline });
  const owner = releases.find((r) => r.deployments.prod?.deployment === deployment && r.data?.profileBlob);
  if (!owner) return undefined;
  return {
    deployment,
    model: owner.deployments.prod!.model,
    releaseId: owner.id,
    profileBlob: owner.data!.profileBlob!,
    expected: owner.metrics.candidate ?? {},
  };
}

/** The serving release's baseline profile, and its stored bytes (a summary's key is derived from them). */
export async function servingBaseline(
  serving: { profileBlob: string },
  deps: Pick<MonitorDeps, 'data' | 'artifactsContainer'>,
): Promise<{ content: Buffer; baseline: BaselineProfile }> {
  const { content } = await deps.data.read({ container: deps.artifactsContainer, name: serving.profileBlob });
  return { content, baseline: BaselineProfile.parse(JSON.parse(content.toString('utf8'))) };
}

async function store(run: MonitorRun, deps: MonitorDeps): Promise<MonitorRun> {
  await deps.table.insert(RUNS(run.pipeline), newestFirst(new Date(run.at)), run).catch((error: unknown) => {
    if (!(error instanceof AlreadyExistsError)) throw error;
  });
  return run;
}

export async function listMonitorRuns(table: StateTable, pipeline: string, limit = 20): Promise<MonitorRun[]> {
  return (await table.list<MonitorRun>(RUNS(pipeline), { limit })).map((r) => r.value);
}

/**
 * One stored run by its id (`<pipeline>-<compact ISO time>[-external]`): the time in the id
 * gives the row key, so this is one read, not a scan of the pipeline's runs.
 */
export async function getMonitorRun(table: StateTable, pipeline: string, id: string): Promise<MonitorRun | undefined> {
  const compact = id.startsWith(`${pipeline}-`)
    ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(id.slice(pipeline.length + 1))
    : null;
  if (!compact) return undefined;
  const [, y, mo, d, h, mi, sec, ms] = compact;
  const at = new Date(`${y}-${mo}-${d}T${h}:${mi}:${sec}.${ms}Z`);
  if (Number.isNaN(at.getTime())) return undefined;
  const run = (await table.get<MonitorRun>(RUNS(pipeline), newestFirst(at)))?.value;
  return run?.id === id ? run : undefined;
}

/** Whether the pipeline's scheduled monitor is due (the timer looks every 10 s). */
export async function monitorDue(table: StateTable, pipeline: string, intervalSeconds: number, now: Date): Promise<boolean> {
  const state = (await table.get<EpisodeState>(STATE, pipeline))?.value;
  return !state?.lastRunAt || now.getTime() - Date.parse(state.lastRunAt) >= intervalSeconds * 1000;
}

/** Outcomes that mean "nothing to act on": repeating one of them is not news. */
const QUIET_OUTCOMES: readonly MonitorOutcome[] = ['ok', 'no-model', 'insufficient-data'];

/**
 * The log line of a scheduled run, or undefined when it repeats the previous run's quiet
 * outcome: a schedule logs what changed, not every tick of a pipeline with nothing to watch.
 */
export function monitorLogLine(previous: Pick<MonitorRun, 'outcome'> | undefined, run: MonitorRun): string | undefined {
  const retraining = run.retrain && 'releaseId' in run.retrain ? `; retraining release ${run.retrain.releaseId}` : '';
  if (!retraining && previous?.outcome === run.outcome && QUIET_OUTCOMES.includes(run.outcome)) return undefined;
  return `monitor ${run.id}: ${run.outcome} on ${run.rows} rows${retraining}`;
}
