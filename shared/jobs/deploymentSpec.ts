import { isAbsolute, normalize } from 'node:path/posix';
import { z } from 'zod';
import { EnvironmentField } from './environmentSpec';
import { parseYamlWith } from '../config/parseConfig';
import type { ModelFormat } from '../ports';

/**
 * The subset of the Azure ML managed online deployment YAML that both backends accept.
 * Probe defaults are Azure ML's; `instance_type` and friends are recorded only locally.
 */

const probe = (defaults: { failure_threshold: number }) =>
  z
    .strictObject({
      /** Seconds before the first probe. @default 10 */
      initial_delay: z.number().min(0).default(10),
      /** Seconds between probes. @default 10 */
      period: z.number().positive().default(10),
      /** Seconds a probe may take. @default 2 */
      timeout: z.number().positive().default(2),
      /** Failed probes before the instance counts as down. @default 30 (liveness), 3 (readiness) */
      failure_threshold: z.int().positive().default(defaults.failure_threshold),
      /** Successful probes before the instance counts as up. @default 1 */
      success_threshold: z.int().positive().default(1),
    })
    .prefault({});

export const ProbeSettings = probe({ failure_threshold: 30 });
export type ProbeSettings = z.infer<typeof ProbeSettings>;

const stringMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

export const DeploymentSpec = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().optional(),
  endpoint_name: z.string().optional(),
  model: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  description: z.string().optional(),
  /** Absent: an MLflow model deployed without code (Azure ML's no-code deployment; the model folder holds MLmodel). */
  code_configuration: z
    .strictObject({
      /** Folder with the scoring code, relative to the spec file. */
      code: z.string().min(1),
      /** The scoring script, relative to `code` and inside it: Azure ML uploads only that folder. */
      scoring_script: z
        .string()
        .min(1)
        .refine((script) => !isAbsolute(script) && !normalize(script.replaceAll('\\', '/')).startsWith('..'), {
          message: 'must be a path inside code (Azure ML uploads only the code folder); move the script into it',
        }),
    })
    .optional(),
  environment: EnvironmentField.optional(),
  instance_type: z.string().optional(),
  /** @default 1 */
  instance_count: z.int().positive().default(1),
  environment_variables: stringMap.default({}),
  request_settings: z
    .strictObject({
      /** A request taking longer answers 504. @default 5000 */
      request_timeout_ms: z.int().positive().default(5000),
      /** @default 1 */
      max_concurrent_requests_per_instance: z.int().positive().default(1),
      max_queue_wait_ms: z.int().nonnegative().optional(),
    })
    .prefault({}),
  liveness_probe: probe({ failure_threshold: 30 }),
  readiness_probe: probe({ failure_threshold: 3 }),
  tags: stringMap.default({}),
  app_insights_enabled: z.boolean().optional(),
  /**
   * Managed online endpoints scale by instance_count (scale with Azure Monitor autoscale):
   * only `default` is accepted; `target_utilization` is a Kubernetes online endpoint setting.
   */
  scale_settings: z
    .strictObject({
      type: z.literal(
        'default',
        "managed online deployments take scale_settings type 'default' only; use Azure Monitor autoscale on the deployment instead of target_utilization",
      ),
    })
    .optional(),
  /**
   * Azure ML's data collector (how-to-collect-production-data): `request`/`response` collect the
   * HTTP bodies of any scorer; `model_inputs`/`model_outputs` what a Python scorer logs with the
   * azureml-ai-monitoring Collector. The monitor reads both from the workspace's default blob store.
   */
  data_collector: z
    .strictObject({
      collections: z.record(
        z
          .string()
          .regex(
            /^[A-Za-z0-9_]{1,64}$/,
            'collection names are letters, digits and underscores (request, response, model_inputs, model_outputs)',
          ),
        z.strictObject({
          enabled: z
            .union([z.boolean(), z.enum(['True', 'False', 'true', 'false'])])
            .transform((v) => v === true || v === 'True' || v === 'true'),
          data: z
            .never("is not supported: the monitor reads the collector's default destination (workspaceblobstore); leave `data` out")
            .optional(),
        }),
      ),
      // The monitor lists hour partitions ({yyyy}/{MM}/{dd}/{HH}), the collector's default.
      rolling_rate: z.literal('Hour', "only 'Hour' is supported: the monitor reads the collector's hourly folders").optional(),
      sampling_rate: z.number().gt(0).max(1).optional(),
      request_logging: z.strictObject({ capture_headers: z.array(z.string().min(1)) }).optional(),
    })
    .optional(),
});
export type DeploymentSpec = z.infer<typeof DeploymentSpec>;

export function parseDeploymentSpec(text: string, file: string): DeploymentSpec {
  return parseYamlWith(DeploymentSpec, text, file);
}

/**
 * The share of a deployment's live requests the local router collects, as Azure ML's collector
 * would keep them: `sampling_rate` (absent: all) when the spec turns any collection on, none when
 * its data_collector lists only disabled ones, so the local drift monitors go without data as
 * Azure's would. Without a data_collector the local router collects everything (the monitors'
 * local default); on Azure such a deployment is not collected (docs/model-format.md).
 */
export function collectedShare(dataCollector: DeploymentSpec['data_collector']): number | undefined {
  if (!dataCollector) return undefined;
  if (!Object.values(dataCollector.collections).some((collection) => collection.enabled)) return 0;
  return dataCollector.sampling_rate;
}

/**
 * Why `model` cannot be served by a spec without code_configuration, if it cannot: Azure ML
 * generates the scoring script and environment only for an MLflow model (no-code deployment)
 * and refuses the deployment otherwise; both local paths (deployments, batch scoring) say the same.
 */
export function noCodeDeploymentProblem(specPath: string, model: string, format: ModelFormat): string | undefined {
  if (format === 'mlflow_model') return undefined;
  return (
    `${specPath} has no code_configuration, which only an mlflow_model can do without; ${model} is a ${format}. ` +
    'Add code_configuration (code and scoring_script) and environment, or declare the training output as mlflow_model'
  );
}
