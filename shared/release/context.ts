import type { AutopilotConfig, EnvironmentName, PipelineConfig } from '../config/schema';
import type { DataGate } from '../data/dataGate';
import type { Clock, DataStore, EventPublisher, Logger, MessageQueue, OutgoingEvent, StateTable, WorkspaceRoles } from '../ports';
import type { Release, StepMessage } from './types';

/** Everything the release engine needs from the outside, as ports. */
export interface EngineDeps {
  /** Spec paths inside are already resolved by whoever loaded the file. */
  config: AutopilotConfig;
  data: DataStore;
  table: StateTable;
  steps: MessageQueue<StepMessage>;
  workspaces: Record<EnvironmentName, WorkspaceRoles>;
  events: EventPublisher;
  clock: Clock;
  logger: Logger;
  /** Where the data gate parses uploads; the host passes a worker thread. @default in this thread */
  dataGate?: DataGate;
  options?: EngineOptions;
  /** Schedules the lease heartbeat of a running step. @default globalThis timers, unref'd */
  timers?: Timers;
}

/** Repeating timers, injected so tests fire heartbeats by hand instead of waiting. */
export interface Timers {
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void | Promise<void>): () => void;
}

export const SYSTEM_TIMERS: Timers = {
  every(ms, tick) {
    const handle = setInterval(() => void tick(), ms);
    // A heartbeat must never keep a finished process alive.
    (handle as { unref?: () => void }).unref?.();
    return () => clearInterval(handle);
  },
};

export interface EngineOptions {
  /** Container for split data and other release artifacts. @default autopilot-artifacts */
  artifactsContainer?: string;
  /** Seconds between checks of a running training job. @default 1 */
  jobPollSeconds?: number;
  /** Seconds a stage may go without progress before the sweeper re-drives it. @default 120 */
  leaseSeconds?: number;
  /** Rows per scoring request when evaluating (one scoring server serves them all). @default 5000 */
  scoreBatchRows?: number;
  /** Failed attempts of one stage (storage errors, crashes) before the release fails. @default 5 */
  maxStageAttempts?: number;
  /** Seconds a stage may wait for a deployment being provisioned before the release fails. @default 2700 */
  provisioningTimeoutSeconds?: number;
  /** Seconds between looks at a deployment being provisioned. @default 15 */
  provisioningPollSeconds?: number;
}

export const DEFAULT_ENGINE_OPTIONS: Required<EngineOptions> = {
  artifactsContainer: 'autopilot-artifacts',
  jobPollSeconds: 1,
  leaseSeconds: 120,
  scoreBatchRows: 5000,
  maxStageAttempts: 5,
  provisioningTimeoutSeconds: 2700,
  provisioningPollSeconds: 15,
};

export interface StageContext extends EngineDeps {
  pipeline: PipelineConfig;
  settings: Required<EngineOptions>;
  /**
   * Fires when the release stops needing this run (cancelled, ended, or taken over after
   * the lease was lost). Long loops check it between units of work.
   */
  signal: AbortSignal;
}

/** Which workspace roles something uses, per environment, e.g. `{ dev: 'jobs' }`. */
export type RolesByEnvironment = { [E in EnvironmentName]?: keyof WorkspaceRoles };

/** The workspaces cut down to the roles `R` names. */
export type RolesIn<R extends RolesByEnvironment> = { [E in keyof R]-?: Pick<WorkspaceRoles, Extract<R[E], keyof WorkspaceRoles>> };

/** The stage context without workspaces: what stage helpers that touch none take. */
export type StageBasics = Omit<StageContext, 'workspaces'>;

/** A stage's context with only the workspace roles it uses (so a test fakes just those). */
export type StageWith<R extends RolesByEnvironment> = StageBasics & { workspaces: RolesIn<R> };

export type ReleasePatch = Partial<Omit<Release, 'id' | 'pipeline' | 'status' | 'stage' | 'stages'>>;

/**
 * What a stage handler decided; the step runner turns it into a state transition.
 * `events` are published only once the outcome is recorded (through the release's outbox).
 */
export type StageOutcome = (
  | { kind: 'advance'; patch?: ReleasePatch; detail?: string }
  | { kind: 'wait'; delaySeconds: number; patch?: ReleasePatch; detail?: string }
  | { kind: 'end'; status: 'rejected' | 'failed' | 'rolled_back' | 'cancelled'; reason: string; patch?: ReleasePatch }
) & { events?: OutgoingEvent[] };

export type StageHandler = (release: Release, ctx: StageContext) => Promise<StageOutcome>;

/** A stage handler that needs only the roles `R`; every one is a StageHandler. */
export type StageHandlerOf<R extends RolesByEnvironment> = (release: Release, ctx: StageWith<R>) => Promise<StageOutcome>;
