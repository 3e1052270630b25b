import type { OnlineDeployment, ProbeSettings } from '@azure/arm-machinelearning';
import type { DeploymentSpec } from '../../../shared/jobs';
import type { DeploymentInfo, DeployRequest } from '../../../shared/ports';
import { BadRequestError } from '../../../shared/errors';
import { registryAssetId } from './azureRegistry';

/** A scoring script runs in an environment; refused before any code is uploaded when there is none. */
export function requireEnvironment(spec: DeploymentSpec, specPath: string): void {
  if (spec.code_configuration && spec.environment === undefined) {
    throw new BadRequestError(
      `${specPath}: a deployment with code_configuration needs \`environment:\` (azureml:<name>:<version>, @latest, a registry URI, or inline with image or build)`,
      'environment',
    );
  }
}

/** Our managed online deployment spec as the ARM body of a Managed deployment. */
export function toArmDeployment(
  spec: DeploymentSpec,
  request: DeployRequest,
  where: {
    location: string;
    workspacePath: string;
    /** ARM id of the code asset holding `code_configuration.code`; none for a no-code MLflow deployment. */ codeId: string | undefined;
    /** The environment's id (registered first when inline); none for a no-code MLflow deployment. */ environmentId: string | undefined;
    /** Registry whose asset the model is (staging/prod with azure.registry). @default none: a workspace model */ modelRegistry?: string;
  },
): OnlineDeployment {
  return {
    location: where.location,
    tags: { ...spec.tags, ...request.tags },
    sku: { name: 'Default', capacity: spec.instance_count },
    properties: {
      endpointComputeType: 'Managed',
      // A registry model is referenced by its asset id, as `model:` in a deployment YAML (how-to-share-models-pipelines-across-workspaces-with-registries).
      model: where.modelRegistry
        ? registryAssetId(where.modelRegistry, request.model.name, request.model.version)
        : `${where.workspacePath}/models/${request.model.name}/versions/${request.model.version}`,
      instanceType: spec.instance_type,
      // Without code_configuration Azure ML serves the MLflow model itself: no code, no environment
      // (how-to-deploy-mlflow-models-online-endpoints, "no-code deployment").
      ...(spec.code_configuration && {
        environmentId: where.environmentId,
        codeConfiguration: { codeId: where.codeId, scoringScript: spec.code_configuration.scoring_script },
      }),
      environmentVariables: spec.environment_variables,
      // Every field the spec parses reaches Azure (they were dropped before: Azure's defaults ran instead).
      requestSettings: {
        requestTimeout: isoSeconds(spec.request_settings.request_timeout_ms / 1000),
        maxConcurrentRequestsPerInstance: spec.request_settings.max_concurrent_requests_per_instance,
        ...(spec.request_settings.max_queue_wait_ms !== undefined && {
          maxQueueWait: isoSeconds(spec.request_settings.max_queue_wait_ms / 1000),
        }),
      },
      livenessProbe: toArmProbe(spec.liveness_probe),
      readinessProbe: toArmProbe(spec.readiness_probe),
      ...(spec.app_insights_enabled !== undefined && { appInsightsEnabled: spec.app_insights_enabled }),
      ...(spec.scale_settings && { scaleSettings: { scaleType: 'Default' } }),
      ...(spec.description !== undefined && { description: spec.description }),
    },
  };
}

/**
 * `data_collector` as the REST `DataCollector` (OnlineDeploymentProperties.dataCollector, in
 * api-versions from 2023-04-01 on; SDK 2.1.1's 2022-10-01 has none, so such a deployment is put
 * raw at a newer version): the YAML's sampling_rate goes on each collection, as azure-ai-ml does.
 */
export function toArmDataCollector(spec: DeploymentSpec): Record<string, unknown> | undefined {
  const collector = spec.data_collector;
  if (!collector) return undefined;
  return {
    collections: Object.fromEntries(
      Object.entries(collector.collections).map(([name, c]) => [
        name,
        {
          dataCollectionMode: c.enabled ? 'Enabled' : 'Disabled',
          ...(collector.sampling_rate !== undefined && { samplingRate: collector.sampling_rate }),
        },
      ]),
    ),
    ...(collector.rolling_rate && { rollingRate: collector.rolling_rate }),
    ...(collector.request_logging && { requestLogging: { captureHeaders: collector.request_logging.capture_headers } }),
  };
}

/** ARM takes durations as ISO 8601 (PT10S); the YAML gives seconds. */
function isoSeconds(seconds: number): string {
  return `PT${seconds}S`;
}

function toArmProbe(probe: DeploymentSpec['liveness_probe']): ProbeSettings {
  return {
    initialDelay: isoSeconds(probe.initial_delay),
    period: isoSeconds(probe.period),
    timeout: isoSeconds(probe.timeout),
    failureThreshold: probe.failure_threshold,
    successThreshold: probe.success_threshold,
  };
}

export function toDeploymentInfo(endpoint: string, d: OnlineDeployment): DeploymentInfo {
  const state = d.properties.provisioningState;
  const modelId = d.properties.model ?? '';
  // Both forms end alike: `{workspace ARM id}/models/{name}/versions/{v}` and `azureml://registries/{r}/models/{name}/versions/{v}`.
  const m = /\/models\/([^/]+)\/versions\/(\d+)$/.exec(modelId);
  return {
    name: d.name ?? '',
    endpoint,
    model: { name: m?.[1] ?? modelId, version: Number(m?.[2] ?? 0) },
    state: state === 'Succeeded' ? 'succeeded' : state === 'Failed' || state === 'Canceled' ? 'failed' : 'creating',
    createdAt: d.systemData?.createdAt ? new Date(d.systemData.createdAt).toISOString() : new Date(0).toISOString(),
  };
}
