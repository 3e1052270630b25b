import { z } from 'zod';

/** Request bodies as the ARM Machine Learning REST API (2022-10-01) requires them. */

const stringMap = z.record(z.string(), z.string().nullable());

export const JobInputBody = z
  .looseObject({
    jobInputType: z.enum(['literal', 'uri_file', 'uri_folder', 'mltable', 'custom_model', 'mlflow_model', 'triton_model']),
    uri: z.string().min(1).optional(),
    value: z.string().optional(),
  })
  .refine((i) => (i.jobInputType === 'literal' ? i.value !== undefined : i.uri !== undefined), {
    message: 'uri inputs need `uri`, literal inputs need `value`',
  });

const WORKSPACE_ID = String.raw`/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.MachineLearningServices/workspaces/[^/]+`;
/**
 * `environmentId`: "[Required] The ARM resource ID of the Environment specification" (CommandJob,
 * 2022-10-01); deployments take an ARM id "or AssetId" (a registry asset). The CLI's short forms
 * (`azureml:name@latest`) are resolved client-side and never reach ARM.
 */
export const ENVIRONMENT_ID = new RegExp(
  String.raw`^(${WORKSPACE_ID}/environments/[^/]+/versions/[^/]+|azureml://registries/[^/]+/environments/[^/]+/(versions|labels)/[^/]+)$`,
  'i',
);
/** `computeId`: "ARM resource ID of the compute resource". */
const COMPUTE_ID = new RegExp(String.raw`^${WORKSPACE_ID}/computes/[^/]+$`, 'i');

export const JobBody = z.looseObject({
  properties: z.looseObject({
    jobType: z.literal('Command'),
    command: z.string().min(1),
    environmentId: z
      .string()
      .regex(
        ENVIRONMENT_ID,
        'must be an environment version ARM id or a registry asset id (short forms like azureml:name@latest are resolved by the client)',
      ),
    computeId: z.string().regex(COMPUTE_ID, 'must be a compute ARM id (…/workspaces/{ws}/computes/{name})').optional(),
    inputs: z.record(z.string(), JobInputBody).optional(),
    outputs: z.record(z.string(), z.looseObject({ jobOutputType: z.string() })).optional(),
    tags: stringMap.optional(),
    // IdentityConfiguration (2022-10-01): the discriminator's known values.
    identity: z.looseObject({ identityType: z.enum(['Managed', 'AMLToken', 'UserIdentity']) }).optional(),
  }),
});

export const ModelVersionBody = z.looseObject({
  properties: z.looseObject({
    modelUri: z.string().min(1),
    // "The storage format for this entity. Used for NCD." (ModelVersionProperties); azure-ai-ml accepts these three (AssetTypes).
    modelType: z.enum(['custom_model', 'mlflow_model', 'triton_model']).optional(),
    tags: stringMap.optional(),
    properties: stringMap.optional(),
  }),
});

const traffic = z.record(z.string(), z.int().min(0).max(100));
const liveTraffic = traffic.refine((t) => [0, 100].includes(Object.values(t).reduce((a, b) => a + b, 0)), {
  message: 'traffic must sum to 100 (or be empty)',
});

export const EndpointBody = z.looseObject({
  location: z.string().min(1),
  properties: z.looseObject({
    authMode: z.enum(['AMLToken', 'Key', 'AADToken']),
    traffic: liveTraffic.optional(),
    mirrorTraffic: traffic.optional(),
  }),
});

/** The PATCH takes tags and identity only, in every api-version; traffic and mirrorTraffic go by PUT. */
export const EndpointPatchBody = z.strictObject({ tags: stringMap.optional(), identity: z.unknown().optional() });

/** ISO 8601 durations, as ARM takes them (PT10S, PT1M30S). */
const duration = z.string().regex(/^P(?=.)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, 'must be an ISO 8601 duration such as PT10S');
/** ProbeSettings (2022-10-01). */
const Probe = z.strictObject({
  failureThreshold: z.int().positive().optional(),
  successThreshold: z.int().positive().optional(),
  initialDelay: duration.optional(),
  period: duration.optional(),
  timeout: duration.optional(),
});

export const DeploymentBody = z.looseObject({
  location: z.string().min(1),
  properties: z
    .looseObject({
      endpointComputeType: z.enum(['Managed', 'Kubernetes', 'AzureMLCompute']),
      // A workspace model's ARM id, or a registry model's asset id (azureml://registries/{r}/models/{n}/versions/{v}).
      model: z
        .string()
        .regex(
          /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+|azureml:\/\/registries\/[^/]+)\/models\/[^/]+\/versions\/[^/]+$/i,
          'must be a model version ARM id or azureml://registries/{registry}/models/{name}/versions/{version}',
        ),
      instanceType: z.string().optional(),
      environmentId: z.string().regex(ENVIRONMENT_ID, 'must be an environment version ARM id or a registry asset id').optional(),
      codeConfiguration: z.looseObject({ codeId: z.string().min(1).optional(), scoringScript: z.string().min(1) }).optional(),
      livenessProbe: Probe.optional(),
      readinessProbe: Probe.optional(),
      requestSettings: z
        .strictObject({
          requestTimeout: duration.optional(),
          maxQueueWait: duration.optional(),
          maxConcurrentRequestsPerInstance: z.int().positive().optional(),
        })
        .optional(),
      appInsightsEnabled: z.boolean().optional(),
      // Managed deployments scale by sku capacity; TargetUtilization is for Kubernetes online endpoints.
      scaleSettings: z.looseObject({ scaleType: z.literal('Default', 'a Managed deployment takes scaleType Default only') }).optional(),
      // DataCollector (2023-04-01 and later): collections [Required]; Collection.dataCollectionMode, rollingRate are enums.
      dataCollector: z
        .strictObject({
          collections: z.record(
            z.string(),
            z.strictObject({
              dataCollectionMode: z.enum(['Enabled', 'Disabled']).optional(),
              samplingRate: z.number().optional(),
              dataId: z.string().optional(),
              clientId: z.string().optional(),
            }),
          ),
          rollingRate: z.enum(['Year', 'Month', 'Day', 'Hour', 'Minute']).optional(),
          requestLogging: z.strictObject({ captureHeaders: z.array(z.string()).optional() }).optional(),
        })
        .optional(),
    })
    .refine((p) => (p.codeConfiguration === undefined) === (p.environmentId === undefined), {
      message:
        'a scoring script runs in an environment: give codeConfiguration and environmentId together, or neither for an MLflow model (no-code deployment)',
    }),
  sku: z.looseObject({ name: z.string(), capacity: z.int().positive() }).optional(),
});

const Route = z.strictObject({ path: z.string().min(1), port: z.int().min(1).max(65535) });

/**
 * EnvironmentVersionProperties (2022-10-01): an `image` or a `build` context (a blob URI on
 * creation), optionally the routes of a custom serving container (InferenceContainerProperties;
 * Route requires path and port).
 */
export const EnvironmentVersionBody = z.looseObject({
  properties: z
    .looseObject({
      image: z.string().min(1).optional(),
      build: z.looseObject({ contextUri: z.url(), dockerfilePath: z.string().min(1).optional() }).optional(),
      condaFile: z.string().optional(),
      osType: z.enum(['Linux', 'Windows']).optional(),
      inferenceConfig: z
        .strictObject({ livenessRoute: Route.optional(), readinessRoute: Route.optional(), scoringRoute: Route.optional() })
        .optional(),
    })
    .refine((p) => (p.image === undefined) !== (p.build === undefined), { message: 'give image or build, not both or neither' }),
});
