import { z } from 'zod';
import { EnvironmentName } from '../../../shared/config/schema';
import { ExchangeGroupSchema } from './exchangeBatch';

// The IPC between the host and its router process (./routerProcess.ts). Both sides are ours, but
// each reads the other's messages through these schemas: a version skew or a bug shows as a
// named refusal, not as a router that routes by garbage.

const Deployment = z.object({
  url: z.string().optional(),
  requestTimeoutMs: z.number().positive(),
  model: z.object({ name: z.string(), version: z.number() }).optional(),
  collectionSamplingRate: z.number().min(0).max(1).optional(),
});

export const RoutingEntrySchema = z.object({
  name: z.string().min(1),
  environment: EnvironmentName,
  routing: z.object({
    traffic: z.record(z.string(), z.number()),
    mirrorTraffic: z.record(z.string(), z.number()),
    deployments: z.record(z.string(), Deployment),
    shadow: z.object({ endpoint: z.string(), deployment: z.string(), percent: z.number(), tolerance: z.number().optional() }).optional(),
  }),
});

/** What the router process is started with. */
export const RouterInitSchema = z.object({
  kind: z.literal('init'),
  port: z.int().min(0).max(65535),
  host: z.string(),
  /** Known before it listens, so a restarted router never answers "not found" for a served endpoint. */
  endpoints: z.array(RoutingEntrySchema),
  /** The environments whose live requests the router hands back for collection; none: it collects nothing. */
  collect: z.array(EnvironmentName).optional(),
});
export type RouterInit = z.infer<typeof RouterInitSchema>;

const Endpoint = z.string();
/** One call of RouterControl, by name, with its arguments. */
export const RouterCallSchema = z.object({
  kind: z.literal('call'),
  id: z.int(),
  call: z.discriminatedUnion('op', [
    z.object({ op: z.literal('setEndpoint'), args: z.tuple([RoutingEntrySchema]) }),
    z.object({ op: z.literal('removeEndpoint'), args: z.tuple([Endpoint]) }),
    z.object({ op: z.literal('resetShadow'), args: z.tuple([Endpoint]) }),
    z.object({ op: z.literal('metrics'), args: z.tuple([Endpoint]) }),
    z.object({ op: z.literal('trafficSince'), args: z.tuple([Endpoint, z.string(), z.array(z.number())]) }),
    z.object({ op: z.literal('shadowReport'), args: z.tuple([Endpoint]) }),
    z.object({ op: z.literal('flushCollected'), args: z.tuple([]) }),
    z.object({ op: z.literal('stop'), args: z.tuple([]) }),
  ]),
});
export type RouterCall = z.infer<typeof RouterCallSchema>['call'];

export const HostMessageSchema = z.discriminatedUnion('kind', [RouterInitSchema, RouterCallSchema]);

export const RouterMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('collected'), groups: z.array(ExchangeGroupSchema) }),
  z.object({ kind: z.literal('ready'), port: z.int() }),
  z.object({ kind: z.literal('failed'), error: z.string() }),
  z.object({ kind: z.literal('result'), id: z.int(), value: z.unknown().optional(), error: z.string().optional() }),
  z.object({
    kind: z.literal('log'),
    level: z.enum(['info', 'warn', 'error']),
    message: z.string(),
    properties: z.record(z.string(), z.unknown()).optional(),
  }),
]);
export type RouterMessage = z.infer<typeof RouterMessageSchema>;
