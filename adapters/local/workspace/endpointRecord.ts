import { z } from 'zod';
import { EnvironmentName } from '../../../shared/config/schema';

/** One deployment as `<root>/endpoints/<name>.json` remembers it, to re-serve it after a restart. */
export const DeploymentRecord = z.object({
  name: z.string(),
  model: z.object({ name: z.string(), version: z.int() }),
  specPath: z.string(),
  tags: z.record(z.string(), z.string()).default({}),
  state: z.enum(['creating', 'succeeded', 'failed']),
  error: z.string().optional(),
  createdAt: z.string(),
});
export type DeploymentRecord = z.infer<typeof DeploymentRecord>;

/** Where a share of the endpoint's live requests is copied (possibly another environment's endpoint). */
export const ShadowRecord = z.object({
  endpoint: z.string(),
  deployment: z.string(),
  percent: z.number().min(0).max(100),
  setAt: z.string(),
  /** Numeric predictions within this agree (ShadowOptions). */
  tolerance: z.number().min(0).optional(),
});
export type ShadowRecord = z.infer<typeof ShadowRecord>;

export const EndpointRecord = z.object({
  name: z.string(),
  environment: EnvironmentName,
  createdAt: z.string(),
  traffic: z.record(z.string(), z.number()).default({}),
  mirrorTraffic: z.record(z.string(), z.number()).default({}),
  deployments: z.array(DeploymentRecord).default([]),
  shadow: ShadowRecord.optional(),
});
export type EndpointRecord = z.infer<typeof EndpointRecord>;

export function armEndpointId(environment: EnvironmentName, endpoint: string): string {
  return (
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/autopilot-local' +
    `/providers/Microsoft.MachineLearningServices/workspaces/local-${environment}/onlineEndpoints/${endpoint}`
  );
}
