import { z } from 'zod';
import { CLASSIFICATION_METRICS, LOWER_IS_BETTER, REGRESSION_METRICS } from '../evaluation/metricDirection';
import { NotificationsPolicy } from './notificationsSchema';

/**
 * The schema of `autopilot.yaml`, the policy as code. Types are derived from it;
 * every default a user may rely on lives here and is documented in docs/configuration.md.
 */

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export const EnvironmentName = z.enum(ENVIRONMENTS);
export type EnvironmentName = z.infer<typeof EnvironmentName>;

/** Azure ML style names: letters, digits, dashes; used in endpoint and model names. */
const resourceName = z.string().regex(/^[a-z][a-z0-9-]{0,23}$/, 'use 1-24 lowercase letters, digits or dashes, starting with a letter');

/** What a pipeline's label is: classes, or a number to predict. */
export const TaskType = z.enum(['classification', 'regression']);
export type TaskType = z.infer<typeof TaskType>;

export { CLASSIFICATION_METRICS, LOWER_IS_BETTER, REGRESSION_METRICS } from '../evaluation/metricDirection';
export const MetricName = z.enum([...CLASSIFICATION_METRICS, ...REGRESSION_METRICS]);
export type MetricName = z.infer<typeof MetricName>;
export type RegressionMetricName = (typeof REGRESSION_METRICS)[number];

/** Metrics in the target's own units or an unbounded share: a difference between two models has no natural bound. */
const UNBOUNDED_DIFFERENCE: ReadonlySet<MetricName> = new Set(['rmse', 'mae', 'mape']);

export const isRegressionMetric = (metric: MetricName): metric is RegressionMetricName =>
  (REGRESSION_METRICS as readonly string[]).includes(metric);

const DataPolicy = z.strictObject({
  /** Blob container watched for new training data. @default training-data */
  container: z
    .string()
    .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'not a valid container name')
    .default('training-data'),
  /** Only blobs under this prefix belong to the pipeline; ends with '/'. */
  prefix: z.string().regex(/^([^/].*\/)?$/, "must be empty or end with '/' and not start with '/'"),
  /** Column holding the target. @default label */
  labelColumn: z.string().min(1).default('label'),
  /** Fewer data rows than this are refused. @default 50 */
  minRows: z.int().min(2).default(50),
  /** Larger blobs are refused before they are read. @default 256 */
  maxMegabytes: z.number().positive().default(256),
  /** NaN/Infinity in a numeric column: 'reject' refuses the file, 'missing' writes empty cells. @default reject */
  nonFinite: z.enum(['reject', 'missing']).default('reject'),
  /**
   * What a release trains on: `latest` the file that arrived; `all` every CSV under the prefix;
   * `{ windowDays: N }` those modified in the last N days (and the file that arrived). Files
   * must share one header. @default latest
   */
  trainingSet: z
    .union([z.enum(['latest', 'all']), z.strictObject({ windowDays: z.number().positive() })], {
      error: "use 'latest', 'all' or { windowDays: N }",
    })
    .default('latest'),
});

const jobPortName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'job input and output names are identifiers');

const TrainingPolicy = z.strictObject({
  /** Path of the AML-style command job spec, relative to autopilot.yaml. */
  job: z.string().min(1),
  /** A job running longer is cancelled and the release fails. @default 30 */
  timeoutMinutes: z.number().positive().default(30),
  /** Seed passed to the job as input `seed` when the spec declares it. @default 42 */
  seed: z.int().default(42),
  /** The job input that receives the training data (uri_file). @default the job's only uri_file/uri_folder input */
  dataInput: jobPortName.optional(),
  /** A literal job input that receives the label column's name. @default `label_column` when the job declares it, else none */
  labelInput: jobPortName.optional(),
  /** The job output that holds the model. @default the job's only custom_model/mlflow_model/uri_folder output */
  modelOutput: jobPortName.optional(),
});

const DeploymentPolicy = z.strictObject({
  /** Path of the AML-style managed online deployment spec, relative to autopilot.yaml. */
  spec: z.string().min(1),
});

export const EvaluationPolicy = z
  .strictObject({
    /** Metric the gate compares. @default auc (rmse with task: regression) */
    metric: MetricName.default('auc'),
    /** Minimum metric value a candidate must reach. @default 0.5 for auc, 0 otherwise */
    floor: z.number().optional(),
    /** How much the candidate must beat the prod champion by (absolute; negative tolerates a small loss). @default 0 */
    minImprovement: z.number().default(0),
    /** Share of rows held out for evaluation. @default 0.2 */
    holdoutFraction: z.number().gt(0).lt(1).default(0.2),
    /** Seed of the train/holdout split and of the gate's paired bootstrap. @default 42 */
    seed: z.int().default(42),
    /** Accepted error rate of each one-sided gate decision: promote only with confidence 1 − alpha (docs/evaluation-gate.md). @default 0.05 */
    alpha: z.number().gt(0).lt(0.5).default(0.05),
    /** What a candidate whose comparison with the champion is inconclusive gets. @default keepChampion */
    inconclusive: z.enum(['keepChampion', 'promote']).default('keepChampion'),
    /** With `inconclusive: promote`, promote only when the candidate is not worse than the champion by more than this, with confidence 1 − alpha. @default 0.01 */
    nonInferiorityMargin: z.number().min(0).default(0.01),
    /** Resamples of the paired bootstrap (f1, log_loss, multiclass auc); fewer, at least 200, past the gate's work budget on large holdouts (docs/evaluation-gate.md). @default 2000 */
    bootstrapSamples: z.int().min(100).max(100_000).default(2000),
  })
  .superRefine((policy, ctx) => {
    // auc, accuracy, f1 (and r2, log_loss in practice) differ by less than 1 between two models, so
    // a larger value would block every promotion silently; rmse and mae are in the target's units.
    if (UNBOUNDED_DIFFERENCE.has(policy.metric)) return;
    if (policy.minImprovement < -1) {
      ctx.addIssue({
        code: 'custom',
        path: ['minImprovement'],
        message:
          'evaluation.minImprovement must be at least -1 (it is an absolute difference in the metric; a negative value tolerates a small loss, e.g. -0.01)',
      });
    }
    if (policy.minImprovement >= 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['minImprovement'],
        message:
          'evaluation.minImprovement must be below 1: it is the absolute difference in the metric the candidate must beat the champion by (auc, accuracy and f1 lie in 0..1), e.g. 0.01, not a percentage',
      });
    }
    if (policy.nonInferiorityMargin >= 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['nonInferiorityMargin'],
        message: `evaluation.nonInferiorityMargin must be below 1 for ${policy.metric}: it is an absolute difference in the metric, e.g. 0.01`,
      });
    }
  });

const CanaryAnalysisPolicy = z.strictObject({
  /** Accepted false-rollback rate per release (always-valid sequential test). @default 0.01 */
  alpha: z.number().gt(0).lt(0.5).default(0.01),
  /** Seconds between looks at the canary's traffic. @default 5 */
  intervalSeconds: z.number().min(1).default(5),
  /** Power wanted against the minimum detectable regressions (docs/canary-analysis.md). @default 0.95 */
  power: z.number().gt(0.5).lt(1).default(0.95),
  /**
   * Latency differences smaller than this are not regressions: the thresholds the test
   * counts exceedances of are the stable's p50 and p99 plus this. @default 10
   */
  latencyToleranceMs: z.number().min(0).default(10),
  /** Requests sent to a new canary before it takes traffic, so a cold start is not judged. @default 20 */
  warmupRequests: z.int().min(0).default(20),
});

const LoadPolicy = z.strictObject({
  /** Replay held-out rows against canary and stable when real traffic is thinner than this (requests/s). @default 20 */
  belowRequestsPerSecond: z.number().min(0).default(20),
  /** Rate of the replayed (synthetic) requests, split evenly between canary and stable. @default 100 */
  requestsPerSecond: z.number().gt(0).max(500).default(100),
});

const ApprovalPolicy = z.strictObject({
  /** An ML engineer with the prod role must approve before the canary. @default false */
  required: z.boolean().default(false),
  /** Unapproved releases are cancelled after this. @default 60 */
  timeoutMinutes: z.number().positive().default(60),
});

const StagingPolicy = z.strictObject({
  /** Held-out rows sent one by one to the staging endpoint. @default 20 */
  smokeRequests: z.int().min(0).default(20),
  /** A smoke request slower than this fails the stage. @default 2000 */
  latencyBudgetMs: z.number().positive().default(2000),
  /** Share of prod's live requests mirrored to the staging deployment (0 disables shadow). @default 20 */
  shadowPercent: z.number().min(0).max(100).default(20),
  /** Mirrored requests to compare before promotion. @default 50 */
  shadowRequests: z.int().min(1).default(50),
  /** Give up on shadow (and pass with a note) when this many seconds bring too few requests. @default 60 */
  shadowMaxSeconds: z.number().positive().default(60),
  /** Minimum share of equal predictions between staging and prod on mirrored requests. @default 0.6 */
  minAgreement: z.number().min(0).max(1).default(0.6),
  /** Under task: regression, two predictions agree when they differ by at most this share of the held-out target's standard deviation. @default 0.25 */
  agreementTolerance: z.number().min(0).default(0.25),
  /** Maximum error rate of the staging deployment on smoke and mirrored requests. @default 0.02 */
  maxErrorRate: z.number().min(0).max(1).default(0.02),
});

const RolloutPolicy = z.strictObject({
  staging: StagingPolicy.prefault({}),
  approval: ApprovalPolicy.prefault({}),
  analysis: CanaryAnalysisPolicy.prefault({}),
  load: LoadPolicy.prefault({}),
  /** Prod traffic steps (percent to the new deployment), ending at 100. @default [5, 25, 50, 100] */
  canarySteps: z
    .array(z.int().min(1).max(100))
    .min(1)
    .refine((steps) => steps.at(-1) === 100, 'the last step must be 100')
    .refine((steps) => steps.every((s, i) => i === 0 || s > steps[i - 1]!), 'steps must increase')
    .default([5, 25, 50, 100]),
  /**
   * Seconds each canary step bakes. Intermediate steps advance after it unless the
   * analysis objects; the step before 100% also waits until the evidence suffices. @default 10
   */
  bakeSeconds: z.number().min(0).default(10),
  /** The last step before 100% is rolled back (safe side) when it cannot gather enough evidence in this many seconds. @default 120 */
  maxStepSeconds: z.number().positive().default(120),
  /** Previous prod deployments kept warm for a one-step rollback. @default 1 */
  retainPrevious: z.int().min(0).max(3).default(1),
});

const MonitoringPolicy = z.strictObject({
  /** Run drift and data-quality monitors on the prod endpoint. @default true */
  enabled: z.boolean().default(true),
  /** Seconds between scheduled runs (the timer looks every 10 s). @default 300 */
  intervalSeconds: z.number().min(10).default(300),
  /** Inference data compared with the model's baseline: the last this many minutes. @default 60 */
  windowMinutes: z.number().positive().default(60),
  /** Drift thresholds for every feature (docs/monitoring-statistics.md has the defaults). */
  thresholds: z.record(z.string(), z.number()).default({}),
  /** Thresholds per feature, on top of `thresholds`. */
  features: z.record(z.string(), z.record(z.string(), z.number())).default({}),
  /** Columns never written to inference data (privacy). @default [] */
  excludeColumns: z.array(z.string()).default([]),
  quality: z
    .strictObject({
      /** Labelled requests (ground-truth joined by request id) needed before model quality is judged. @default 50 */
      minLabels: z.int().min(1).default(50),
      /** A metric this much below the model's evaluation value is a quality breach. @default 0.05 */
      maxDrop: z.number().min(0).max(1).default(0.05),
    })
    .prefault({}),
  retrain: z
    .strictObject({
      /** Start a release when drift persists. @default true */
      enabled: z.boolean().default(true),
      /** Consecutive drifted runs before retraining (one noisy run does not retrain). @default 2 */
      debounceRuns: z.int().min(1).default(2),
      /** Minimum minutes between two drift retrains of the pipeline. @default 60 */
      coolDownMinutes: z.number().min(0).default(60),
      /** Training data newer than this many days joins the retraining set. @default 30 */
      dataWindowDays: z.number().positive().default(30),
    })
    .prefault({}),
});

export const ConcurrencyPolicy = z.enum(['queue', 'supersede']);
export type ConcurrencyPolicy = z.infer<typeof ConcurrencyPolicy>;

const PipelineObject = z.strictObject({
  /** What the label column holds: classes (`classification`) or a number to predict (`regression`). @default classification */
  task: TaskType.default('classification'),
  data: DataPolicy,
  training: TrainingPolicy,
  deployment: DeploymentPolicy,
  evaluation: EvaluationPolicy.prefault({}),
  rollout: RolloutPolicy.prefault({}),
  monitoring: MonitoringPolicy.prefault({}),
  /**
   * What happens to data that lands while a release of the same pipeline runs:
   * `queue` runs it after the current one (releases wait in arrival order);
   * `supersede` cancels the running release and starts the new one. @default queue
   */
  concurrency: ConcurrencyPolicy.default('queue'),
  /** Outbound webhooks (chat, your own receivers) for this pipeline's decisions: shared/config/notificationsSchema.ts. */
  notifications: NotificationsPolicy.prefault({}),
});

/** A regression pipeline that names no metric compares rmse (auc, the default, is a classification metric). */
function regressionMetricDefault(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || (input as { task?: unknown }).task !== 'regression') return input;
  const evaluation = (input as { evaluation?: unknown }).evaluation;
  if (evaluation !== undefined && (evaluation === null || typeof evaluation !== 'object' || 'metric' in evaluation)) return input;
  return { ...input, evaluation: { ...(evaluation ?? {}), metric: 'rmse' } };
}

export const PipelineConfig = z.preprocess(
  regressionMetricDefault,
  PipelineObject.superRefine((pipeline, ctx) => {
    const metric = pipeline.evaluation.metric;
    if (pipeline.task === 'regression' && !isRegressionMetric(metric)) {
      ctx.addIssue({
        code: 'custom',
        path: ['evaluation', 'metric'],
        message: `'${metric}' is a classification metric and this pipeline has task: regression; use one of ${REGRESSION_METRICS.join(', ')}`,
      });
    }
    if (pipeline.task === 'classification' && isRegressionMetric(metric)) {
      ctx.addIssue({
        code: 'custom',
        path: ['evaluation', 'metric'],
        message: `'${metric}' is a regression metric; set task: regression on this pipeline to train a regressor, or use one of ${CLASSIFICATION_METRICS.join(', ')}`,
      });
    }
  }),
);
export type PipelineConfig = z.infer<typeof PipelineConfig>;

const EnvironmentConfig = z.strictObject({
  /** Which adapter drives the environment's ML workspace. @default local */
  backend: z.enum(['local', 'azure']).default('local'),
  /** Azure ML workspace coordinates (azure backend only). */
  subscriptionId: z.string().optional(),
  resourceGroup: z.string().optional(),
  workspace: z.string().optional(),
  /** Azure region of the workspace, e.g. westeurope (azure backend only; ARM needs it on endpoints and deployments). */
  location: z.string().optional(),
  /**
   * Workspace ID (a GUID) of the Log Analytics workspace that receives the endpoints'
   * AmlOnlineEndpointConsoleLog (azure backend only): deployment logs are then read there,
   * history included, instead of from the running container. @default none
   */
  logAnalyticsWorkspaceId: z
    .guid(
      'must be the Log Analytics workspace ID, a GUID such as 0b5e4c2a-1f7d-4e6b-9a3c-2d8f6e1b7a90 (az monitor log-analytics workspace show --query customerId)',
    )
    .optional(),
});

/**
 * An Azure ML registry (azure backend): promotion shares the dev model version into it, and
 * staging and prod deploy the registry asset, which every workspace can resolve.
 */
const AzureRegistryConfig = z.strictObject({
  /** Registry name: 3-33 letters, digits, '-' or '_', starting with a letter or digit. */
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_-]{2,32}$/,
      "must be the Azure ML registry name (3-33 letters, digits, '-' or '_'), see `az ml registry list`",
    ),
  subscriptionId: z.guid('must be the subscription id (a GUID) that holds the registry, see `az ml registry show --query id`'),
  resourceGroup: z.string().trim().min(1, 'must name the resource group that holds the registry'),
});

export const AutopilotConfig = z
  .strictObject({
    version: z.literal(1),
    /** Settings of the azure backend shared by all environments. @default none */
    azure: z.strictObject({ registry: AzureRegistryConfig.optional() }).optional(),
    environments: z
      .strictObject({
        dev: EnvironmentConfig.prefault({}),
        staging: EnvironmentConfig.prefault({}),
        prod: EnvironmentConfig.prefault({}),
      })
      .prefault({}),
    pipelines: z.record(z.string(), PipelineConfig).refine((p) => Object.keys(p).length > 0, 'declare at least one pipeline'),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, string>();
    for (const [name, pipeline] of Object.entries(config.pipelines)) {
      const nameCheck = resourceName.safeParse(name);
      if (!nameCheck.success) {
        ctx.addIssue({ code: 'custom', path: ['pipelines', name], message: `pipeline name: ${nameCheck.error.issues[0]?.message}` });
      }
      const key = `${pipeline.data.container}/${pipeline.data.prefix}`;
      for (const [otherKey, other] of seen) {
        if (key.startsWith(otherKey) || otherKey.startsWith(key)) {
          ctx.addIssue({
            code: 'custom',
            path: ['pipelines', name, 'data', 'prefix'],
            message: `overlaps pipeline '${other}' (${otherKey}); each blob must belong to one pipeline`,
          });
        }
      }
      seen.set(key, name);
    }
  });
export type AutopilotConfig = z.infer<typeof AutopilotConfig>;

/** The gate's floor when the policy leaves it out. */
export function defaultFloor(metric: MetricName): number {
  if (metric === 'auc') return 0.5;
  // No error is too large by default; r2 below 0 is worse than predicting the mean.
  return LOWER_IS_BETTER.has(metric) ? Number.POSITIVE_INFINITY : 0;
}

/** Endpoint names are unique across environments, as in Azure ML. */
export function endpointName(pipeline: string, environment: EnvironmentName): string {
  return `${pipeline}-${environment}`;
}

/** The inverse of endpointName: whose endpoint this is, or undefined for a name we did not give. */
export function endpointOwner(endpoint: string): { pipeline: string; environment: EnvironmentName } | undefined {
  const match = /^(.+)-(dev|staging|prod)$/.exec(endpoint);
  return match ? { pipeline: match[1]!, environment: match[2] as EnvironmentName } : undefined;
}

export function pipelineForBlob(config: AutopilotConfig, container: string, blobName: string): string | undefined {
  for (const [name, pipeline] of Object.entries(config.pipelines)) {
    if (pipeline.data.container === container && blobName.startsWith(pipeline.data.prefix)) return name;
  }
  return undefined;
}
