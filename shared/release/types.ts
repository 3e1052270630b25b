import { z } from 'zod';
import { EnvironmentName } from '../config/schema';
import { STAGES } from './stageOrder';
import { EventEnvelope } from '../events/eventEnvelope';

export { STAGES };
export const Stage = z.enum(STAGES);
export type Stage = z.infer<typeof Stage>;

export const TERMINAL_STATUSES = ['succeeded', 'rejected', 'failed', 'rolled_back', 'cancelled'] as const;
export const ReleaseStatus = z.enum(['queued', 'running', ...TERMINAL_STATUSES]);
export type ReleaseStatus = z.infer<typeof ReleaseStatus>;

export function isTerminal(status: ReleaseStatus): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export const StageRecord = z.object({
  status: z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped']),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  /** Short human-readable progress or outcome ("job running 12 s", "AUC 0.91 vs 0.89"). */
  detail: z.string().optional(),
  attempts: z.int().default(0),
  /**
   * Invocations that began running this stage and never finished it (each finished
   * invocation, whatever its outcome, sets it back to 0): a count of host crashes in it.
   */
  starts: z.int().optional(),
  /** The invocation running this stage now; a second delivery while its lease is live is a no-op. */
  heldBy: z.string().optional(),
});
export type StageRecord = z.infer<typeof StageRecord>;

export const Trigger = z.object({
  kind: z.enum(['blob', 'manual', 'schedule', 'drift', 'alert']),
  /** Event id (blob events) or request id (manual). */
  eventId: z.string().optional(),
  /** Principal that started a manual release. */
  by: z.string().optional(),
  note: z.string().optional(),
});
export type Trigger = z.infer<typeof Trigger>;

export const DataLineage = z.object({
  container: z.string(),
  blob: z.string(),
  url: z.string(),
  eTag: z.string(),
  contentLength: z.number().optional(),
  sha256: z.string().optional(),
  rows: z.int().optional(),
  columns: z.array(z.string()).optional(),
  trainBlob: z.string().optional(),
  holdoutBlob: z.string().optional(),
  holdoutRows: z.int().optional(),
  /** Hashes of the rows the candidate was trained on (artifacts container; shared/data/trainingRows.ts). Absent before issue 15. */
  trainingRowsBlob: z.string().optional(),
  /**
   * The held-out rows both models were compared on (docs/holdout.md): `excluded` rows were
   * left out because the champion was trained on them; `championRows` says whether its
   * training rows were known. `conclusive` false: too few rows were left to promote on.
   */
  compared: z
    .object({
      rows: z.int(),
      excluded: z.int(),
      championRows: z.enum(['none', 'known', 'unknown']),
      conclusive: z.boolean(),
    })
    .optional(),
  /** The candidate's baseline profile for drift monitoring (artifacts container). */
  profileBlob: z.string().optional(),
  /** With data.trainingSet `all` or a window: the union trained on (artifacts container) and every file in it. */
  trainingSet: z
    .object({
      blob: z.string(),
      sources: z.array(z.object({ blob: z.string(), eTag: z.string(), sha256: z.string(), rows: z.int() })),
    })
    .optional(),
});
export type DataLineage = z.infer<typeof DataLineage>;

/** One metric of the canary's sequential test at one look (shared/rollout). */
export const CanaryLookMetric = z.object({
  /** 'errors' | 'latencyP50' | 'latencyP99' | 'class:<name>' */
  id: z.string(),
  /** log of the mixture likelihood ratio: the always-valid test's statistic. */
  statistic: z.number(),
  /** log(1/alpha of this metric): crossing it means a regression. */
  boundary: z.number(),
  rejected: z.boolean(),
  sufficient: z.boolean(),
});
export type CanaryLookMetric = z.infer<typeof CanaryLookMetric>;

/** One canary analysis look, kept for charts and the decision record (counts are cumulative since the canary started). */
export const CanaryLook = z.object({
  at: z.string(),
  stepIndex: z.int(),
  /** Canary's share of prod traffic (percent) during this look's interval. */
  weight: z.number(),
  /** Start of the interval analysed (the traffic cursor: one look per cursor); the look was taken at `at`. */
  since: z.string(),
  canary: z.object({ requests: z.int(), errors: z.int() }),
  stable: z.object({ requests: z.int(), errors: z.int() }),
  metrics: z.array(CanaryLookMetric),
  verdict: z.string(),
});
export type CanaryLook = z.infer<typeof CanaryLook>;

export const ModelRefSchema = z.object({ name: z.string(), version: z.int() });

export const Release = z.object({
  id: z.string(),
  pipeline: z.string(),
  status: ReleaseStatus,
  stage: Stage,
  trigger: Trigger,
  data: DataLineage.optional(),
  /** The candidate model once registered. */
  model: ModelRefSchema.optional(),
  /** The prod model the candidate was compared with, if any. */
  champion: ModelRefSchema.optional(),
  metrics: z
    .object({
      candidate: z.record(z.string(), z.number()).optional(),
      champion: z.record(z.string(), z.number()).optional(),
      training: z.record(z.string(), z.number()).optional(),
    })
    .default({}),
  job: z.object({ name: z.string(), status: z.string(), durationMs: z.number().optional(), codeHash: z.string().optional() }).optional(),
  /** The evaluation gate's verdict. */
  gate: z
    .object({
      passed: z.boolean(),
      metric: z.string(),
      candidate: z.number().nullable(),
      champion: z.number().optional(),
      reason: z.string(),
      /** Absent on releases from before the paired gate (issue 15): they compared point estimates. */
      outcome: z.enum(['promote', 'reject', 'inconclusive']).optional(),
      /** The paired test against the champion (docs/evaluation-gate.md), when there was a champion to compare with. */
      comparison: z
        .object({
          outcome: z.enum(['promote', 'reject', 'inconclusive']),
          test: z.string(),
          rows: z.int(),
          improvement: z.number(),
          interval: z.object({ low: z.number(), high: z.number(), confidence: z.number() }),
          pValue: z.number(),
          hypothesis: z.string(),
          rowsNeeded: z.int().optional(),
        })
        .optional(),
    })
    .optional(),
  /** Where the candidate was deployed, per environment (model versions differ per workspace). */
  deployments: z
    .partialRecord(EnvironmentName, z.object({ endpoint: z.string(), deployment: z.string(), model: ModelRefSchema }))
    .default({}),
  /** Staging tests: smoke requests and shadow traffic mirrored from prod. */
  staging: z
    .object({
      deployment: z.string(),
      smoke: z.object({ requests: z.int(), errors: z.int(), maxLatencyMs: z.number() }).optional(),
      shadowStartedAt: z.string().optional(),
      shadow: z
        .object({
          mirrored: z.int(),
          compared: z.int(),
          agreed: z.int(),
          shadowErrors: z.int(),
          liveErrors: z.int(),
          note: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  /** The approval gate before prod, when the policy asks for one. */
  approval: z.object({ requestedAt: z.string(), by: z.string().optional(), at: z.string().optional() }).optional(),
  /** Progress through the prod traffic steps; `stable` is the deployment being replaced. */
  canary: z
    .object({
      stepIndex: z.int(),
      stepStartedAt: z.string(),
      stable: z.string().optional(),
      /** Cursor of the traffic already analysed. */
      since: z.string().optional(),
      /** Latency thresholds (stable's p50 and p99) the analysis counts exceedances of. */
      thresholdsMs: z.array(z.number()).optional(),
      /** A regressor's predictions are compared in bins cut at these values (shared/rollout/predictionBins.ts). */
      predictionBins: z.array(z.number()).optional(),
      /** The sequential test's state (shared/rollout). */
      analysis: z.unknown().optional(),
      /** Last verdict and its reasons, for people. */
      verdict: z.string().optional(),
      reasons: z.array(z.string()).optional(),
      /** The analysis at each look, oldest first; the most recent ones only (see canaryLooks.ts). */
      looks: z.array(CanaryLook).default([]),
      /** Set by a manual promote: skip the remaining steps. */
      promoteNow: z.object({ by: z.string(), at: z.string() }).optional(),
    })
    .optional(),
  /** Who or what rolled the release back, and why. */
  rollback: z.object({ at: z.string(), by: z.string(), why: z.string() }).optional(),
  stages: z.partialRecord(Stage, StageRecord).default({}),
  /** Why the release ended as it did (rejected, failed, cancelled...). */
  reason: z.string().optional(),
  /** Deadline by which the current stage must have progressed; a sweeper re-drives it after. */
  leaseExpiresAt: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  endedAt: z.string().optional(),
  /** What must follow the write that set it (audit, events, step messages); see outbox.ts. */
  outbox: z.lazy(() => Outbox).optional(),
});
export type Release = z.infer<typeof Release>;

/** One message on the step queue: "drive this release's stage". */
export const StepMessage = z.object({
  releaseId: z.string().min(1),
  pipeline: z.string().min(1),
  stage: Stage,
  /** Distinguishes a re-drive after lease expiry from the original delivery (for logs). */
  reason: z.enum(['advance', 'poll', 'redrive', 'start']).default('advance'),
});
export type StepMessage = z.infer<typeof StepMessage>;

/**
 * An entry of the audit log: who or what changed what, and why. Most concern a release;
 * a few (a pipeline rollback with no release owning the deployment, a monitor run that
 * started nothing) only a pipeline. Entries written before `pipeline` was recorded lack it.
 */
export const AuditEntry = z.object({
  at: z.string(),
  releaseId: z.string().optional(),
  pipeline: z.string().optional(),
  actor: z.string(),
  action: z.string(),
  from: z.object({ status: ReleaseStatus, stage: Stage }).optional(),
  to: z.object({ status: ReleaseStatus, stage: Stage }).optional(),
  why: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/**
 * The transactional outbox of a release record: written by the same ETag-guarded replace
 * that changes the release, performed (idempotently) and cleared after it. `id` tells one
 * outbox from the next, so a clear never removes work written after the flush began.
 */
export const Outbox = z.object({
  id: z.string(),
  /**
   * `key` (given by the repository when it stores the outbox) fixes the audit row's key, so
   * a second flush finds the row and adds none.
   */
  audit: z.array(z.object({ key: z.string().optional(), entry: AuditEntry })).default([]),
  /** Checked against the event map (shared/events/outgoing.ts) when the outbox is flushed. */
  events: z.array(EventEnvelope).default([]),
  steps: z.array(z.object({ message: StepMessage, delaySeconds: z.number().optional() })).default([]),
  /** Gives prod traffic back to the stable deployment (a rolled-back or cancelled canary). */
  restoreStable: z.boolean().optional(),
  /** Frees the pipeline slot (the release ended) and starts the next waiting release. */
  releaseSlot: z.boolean().optional(),
});
export type Outbox = z.infer<typeof Outbox>;
