import { z } from 'zod';

/** Request bodies as the ARM Machine Learning REST API (2022-10-01) requires them. */

const stringMap = z.record(z.string(), z.string().nullable());

export const JobInputBody = z.looseObject({
  jobInputType: z.enum(['literal', 'uri_file', 'uri_folder', 'mltable', 'custom_model', 'mlflow_model', 'triton_model']),
  uri: z.string().min(1).optional(),
  value: z.string().optional(),
}).refine((i) => (i.jobInputType === 'literal' ? i.value !== undefined : i.uri !== undefined), {
  message: 'uri inputs need `uri`, literal inputs need `value`',
});

export const JobBody = z.looseObject({
  properties: z.looseObject({
    jobType: z.literal('Command'),
    command: z.string().min(1),
    environmentId: z.string().min(1),
    computeId: z.string().optional(),
    inputs: z.record(z.string(), JobInputBody).optional(),
    outputs: z.record(z.string(), z.looseObject({ jobOutputType: z.string() })).optional(),
    tags: stringMap.optional(),
  }),
});

export const ModelVersionBody = z.looseObject({
  properties: z.looseObject({
    modelUri: z.string().min(1),
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

export const DeploymentBody = z.looseObject({
  location: z.string().min(1),
  properties: z.looseObject({
    endpointComputeType: z.enum(['Managed', 'Kubernetes', 'AzureMLCompute']),
    // A workspace model's ARM id, or a registry model's asset id (azureml://registries/{r}/models/{n}/versions/{v}).
    model: z.string().regex(
      /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+|azureml:\/\/registries\/[^/]+)\/models\/[^/]+\/versions\/[^/]+$/i,
      'must be a model version ARM id or azureml://registries/{registry}/models/{name}/versions/{version}',
    ),
    instanceType: z.string().optional(),
  }),
  sku: z.looseObject({ name: z.string(), capacity: z.int().positive() }).optional(),
});
