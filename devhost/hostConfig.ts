import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, ensureError } from '../shared/errors';

const TIMESPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/;

/** Parses a .NET TimeSpan as host.json writes it (`hh:mm:ss`, `d.hh:mm:ss`, `hh:mm:ss.fff`) into ms. */
export function parseTimeSpan(text: string): number | undefined {
  const m = TIMESPAN.exec(text.trim());
  if (!m) return undefined;
  const [, days, hours, minutes, seconds, fraction] = m;
  if (Number(minutes) > 59 || Number(seconds) > 59) return undefined;
  const ms = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
  return (((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000 + ms;
}

const timeSpan = z.string().transform((text, ctx) => {
  const ms = parseTimeSpan(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `'${text}' is not a duration; write hh:mm:ss, e.g. 00:00:30` });
    return z.NEVER;
  }
  return ms;
});

const QueuesSettings = z.looseObject({
  /** @default 00:01:00 (as the real host) */
  maxPollingInterval: timeSpan.default(60_000),
  /** Delay before a failed message is visible again. @default 00:00:00 */
  visibilityTimeout: timeSpan.default(0),
  /** Messages fetched at once (1-32). @default 16 */
  batchSize: z.int().min(1).max(32).default(16),
  /** Attempts before a message goes to `<queue>-poison`. @default 5 */
  maxDequeueCount: z.int().min(1).default(5),
  /** Fetch a new batch when in-flight messages drop to this. @default batchSize / 2 */
  newBatchThreshold: z.int().min(0).optional(),
});

export const HostJson = z.looseObject({
  version: z.literal('2.0', { message: "must be '2.0' (Azure Functions v4 host)" }),
  /** `-1` means no limit. @default 00:30:00 (Consumption-like) */
  functionTimeout: z.union([z.literal('-1').transform(() => undefined), timeSpan]).optional(),
  extensions: z
    .looseObject({
      http: z.looseObject({ routePrefix: z.string().default('api') }).optional(),
      queues: QueuesSettings.optional(),
    })
    .optional(),
});

export const LocalSettingsJson = z.looseObject({
  IsEncrypted: z.boolean().optional(),
  Values: z.record(z.string(), z.string({ message: 'values must be strings (quote numbers and booleans)' })).default({}),
  Host: z.looseObject({ LocalHttpPort: z.int().min(0).max(65535).optional() }).optional(),
});

/** host.json `extensions.queues`, durations in ms. */
export interface QueuesConfig {
  maxPollingInterval: number;
  visibilityTimeout: number;
  batchSize: number;
  maxDequeueCount: number;
  newBatchThreshold: number;
}

export interface HostConfig {
  routePrefix: string;
  queues: QueuesConfig;
  /** undefined = no limit */
  functionTimeoutMs: number | undefined;
  values: Record<string, string>;
  localHttpPort: number | undefined;
}

/** Reads and validates `host.json` (required) and `local.settings.json` (optional) in `appRoot`. */
export function loadHostConfig(appRoot: string): HostConfig {
  const hostFile = join(appRoot, 'host.json');
  if (!existsSync(hostFile)) {
    throw new ConfigError(hostFile, [{ path: '', message: 'file not found; every function app needs a host.json with "version": "2.0"' }]);
  }
  const host = parseJsonFile(hostFile, HostJson);
  const settingsFile = join(appRoot, 'local.settings.json');
  const settings = existsSync(settingsFile) ? parseJsonFile(settingsFile, LocalSettingsJson) : undefined;
  if (settings?.IsEncrypted) {
    throw new ConfigError(settingsFile, [
      { path: 'IsEncrypted', message: 'encrypted settings are not supported locally; set it to false' },
    ]);
  }
  const queues = host.extensions?.queues ?? QueuesSettings.parse({});
  const prefix = host.extensions?.http?.routePrefix ?? 'api';
  return {
    routePrefix: prefix.replace(/^\/+|\/+$/g, ''),
    queues: {
      maxPollingInterval: queues.maxPollingInterval,
      visibilityTimeout: queues.visibilityTimeout,
      batchSize: queues.batchSize,
      maxDequeueCount: queues.maxDequeueCount,
      newBatchThreshold: queues.newBatchThreshold ?? Math.floor(queues.batchSize / 2),
    },
    functionTimeoutMs: host.functionTimeout === undefined && !('functionTimeout' in host) ? 30 * 60_000 : host.functionTimeout,
    values: settings?.Values ?? {},
    localHttpPort: settings?.Host?.LocalHttpPort,
  };
}

/** Puts local.settings.json `Values` into the environment, never overriding what is already set. */
export function applyLocalSettings(values: Record<string, string>, env: NodeJS.ProcessEnv = process.env): string[] {
  const applied: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (env[key] === undefined) {
      env[key] = value;
      applied.push(key);
    }
  }
  return applied;
}

function parseJsonFile<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `not valid JSON (${ensureError(error).message})` }]);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  return result.data;
}
