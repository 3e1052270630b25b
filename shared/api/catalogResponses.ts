import { z } from 'zod';
import { EnvironmentName } from '../config/schema';

/**
 * Responses of the catalog routes (health, endpoints, models, events, logs), as the API
 * declares them and the CLI parses them. Objects are loose so `--json` passes through fields
 * this CLI version does not know yet.
 */
export const HealthResponse = z.looseObject({
  status: z.literal('ok'),
  version: z.string().optional(),
  time: z.string().optional(),
  pipelines: z.array(z.looseObject({ name: z.string(), container: z.string(), prefix: z.string(), labelColumn: z.string().optional() })),
  environments: z.record(z.string(), z.looseObject({ backend: z.string().optional() })).default({}),
});
export type HealthResponse = z.infer<typeof HealthResponse>;
export type PipelineSummary = HealthResponse['pipelines'][number];

const ModelRef = z.looseObject({ name: z.string(), version: z.number() });

export const EndpointView = z
  .looseObject({
    name: z.string(),
    environment: EnvironmentName,
    scoringUri: z.string(),
    traffic: z.record(z.string(), z.number()).default({}),
    mirrorTraffic: z.record(z.string(), z.number()).default({}),
    deployments: z.array(z.looseObject({ name: z.string(), model: ModelRef.optional(), state: z.string().optional() })).default([]),
  })
  .meta({ id: 'Endpoint' });
export type EndpointView = z.infer<typeof EndpointView>;
export const EndpointsResponse = z.looseObject({ endpoints: z.array(EndpointView) });

export const ModelView = z
  .looseObject({
    name: z.string(),
    version: z.number(),
    environment: EnvironmentName,
    createdAt: z.string(),
    metrics: z.record(z.string(), z.number()).default({}),
    tags: z.record(z.string(), z.string()).default({}),
    format: z.enum(['custom_model', 'mlflow_model']).default('custom_model'),
  })
  .meta({ id: 'Model' });
export type ModelView = z.infer<typeof ModelView>;
export const ModelsResponse = z.looseObject({ models: z.array(ModelView) });

export const EventView = z
  .looseObject({
    id: z.string(),
    type: z.string(),
    subject: z.string(),
    time: z.string(),
    data: z.record(z.string(), z.unknown()).default({}),
  })
  .meta({ id: 'Event', description: 'A CloudEvent the service published (releases, alerts, drift).' });
export type EventView = z.infer<typeof EventView>;
export const EventsResponse = z.looseObject({ events: z.array(EventView) });

export const DeploymentLogsResponse = z.looseObject({
  endpoint: z.string(),
  deployment: z.string(),
  environment: z.string(),
  source: z.string(),
  lines: z.array(z.looseObject({ time: z.string().optional(), text: z.string() })),
});
export type DeploymentLogsView = z.infer<typeof DeploymentLogsResponse>;
