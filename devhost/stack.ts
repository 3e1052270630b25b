import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectionStringFor, type AzuritePorts, type RunningAzurite } from './azurite';
import { startSupervisedAzurite } from './supervisedAzurite';
import { FunctionsEntryError, PortInUseError } from './errors';
import { joinedStorage } from './joinedStorage';
import type { EventSubscriptionInput } from './eventSubscription';
import { freePort } from './freePort';
import { PROJECT_ROOT, startFunctionsHost, type RunningFunctionsHost } from './host';
import { loadHostConfig } from './hostConfig';
import { createHostLogger, type HostLogger } from './logger';

/**
 * New data in each watched container goes to the app's `blobCreated` function, as infra/
 * wires it in Azure (one subscription per entry of `trainingContainers`).
 */
export function blobCreatedSubscriptions(containers: readonly string[]): EventSubscriptionInput[] {
  return [...new Set(containers)].map((container) => ({
    name: `${container}-created`,
    functionName: 'blobCreated',
    includedEventTypes: ['Microsoft.Storage.BlobCreated'],
    subjectBeginsWith: `/blobServices/default/containers/${container}/`,
  }));
}

/**
 * New inference data goes to `inferenceBlobCreated`, which summarises each blob for its endpoint's
 * monitors as it arrives (infra/ wires the same subscription in Azure).
 */
export const INFERENCE_DATA_SUBSCRIPTION: EventSubscriptionInput = {
  name: 'inference-data-created',
  functionName: 'inferenceBlobCreated',
  includedEventTypes: ['Microsoft.Storage.BlobCreated'],
  subjectBeginsWith: '/blobServices/default/containers/inference-data/',
  subjectEndsWith: '.jsonl',
};

export const DEFAULT_EVENT_SUBSCRIPTIONS: readonly EventSubscriptionInput[] = [
  ...blobCreatedSubscriptions(['training-data']),
  INFERENCE_DATA_SUBSCRIPTION,
];

export interface StackOptions {
  /** Folder holding host.json, local.settings.json and the functions. @default the project root */
  projectRoot?: string;
  /** Functions entry, relative to projectRoot or absolute. @default functions/index.ts */
  functionsEntry?: string;
  /** Keys, Azurite data and event state. @default $AUTOPILOT_STATE_DIR, else <projectRoot>/.autopilot */
  stateDir?: string;
  /** Functions host port; 0 = free. @default 7071 */
  port?: number;
  /** Public storage ports; 0 = free. @default blob 10000, queue 10001, table 10002 */
  storagePorts?: Partial<AzuritePorts>;
  /** @default DEFAULT_EVENT_SUBSCRIPTIONS */
  eventSubscriptions?: readonly EventSubscriptionInput[];
  /** Tell the app the host's state folder (AUTOPILOT_STATE_DIR). @default true; false for a packaged app (--app) */
  shareStateDirWithApp?: boolean;
  /** Scales Event Grid retry waits and TTL (tests). @default 1 */
  retryScale?: number;
  /** @default 60000 */
  reconcileIntervalMs?: number;
  /** @default 60 */
  queueMessageLeaseSeconds?: number;
  logger?: HostLogger;
  /**
   * Joins this storage account (another host's connection string) instead of starting Azurite
   * and the blob-event proxy: a second instance of the app, as Azure Functions scales out. It
   * runs the queue triggers and timers (one instance at a time: timerLock.ts); blob events stay
   * with the first host, as Event Grid delivers each event to one instance. @default off
   */
  joinStorage?: string;
}

export interface RunningStack {
  readonly urls: { functions: string; api: string; blob: string; queue: string; table: string };
  /** Public storage ports (blob is the event proxy in front of Azurite). */
  readonly ports: AzuritePorts & { functions: number };
  /** Explicit connection string for the public ports (also in AzureWebJobsStorage). */
  readonly connectionString: string;
  readonly keysPath: string;
  readonly stateDir: string;
  readonly host: RunningFunctionsHost;
  stop(): Promise<void>;
}

const PORT_OPTIONS: Record<keyof AzuritePorts | 'functions', [string, string]> = {
  functions: ['Functions host', '--port'],
  blob: ['Azurite blob service', '--blob-port'],
  queue: ['Azurite queue service', '--queue-port'],
  table: ['Azurite table service', '--table-port'],
};

/**
 * The embedded stack: Azurite (persisted under the state dir) with its blob service
 * behind the event proxy, and the local Functions host running the app (with `joinStorage`,
 * the host alone, on another stack's storage account). Sets
 * `AzureWebJobsStorage`, `AUTOPILOT_STORAGE_CONNECTION_STRING` and `AUTOPILOT_STATE_DIR`
 * before the app loads.
 */
export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const projectRoot = resolve(options.projectRoot ?? PROJECT_ROOT);
  const stateDir = resolve(options.stateDir ?? process.env['AUTOPILOT_STATE_DIR'] ?? join(projectRoot, '.autopilot'));
  const logger = options.logger ?? createHostLogger();
  const entryOption = options.functionsEntry ?? 'functions/index.ts';
  const entry = isAbsolute(entryOption) ? entryOption : resolve(projectRoot, entryOption);
  // Fail on what we can check before spawning anything.
  if (!existsSync(entry)) {
    throw new FunctionsEntryError(
      entry,
      'file not found. Create it (it registers the functions with app.http, app.eventGrid, ...) or pass --functions <entry>',
    );
  }
  loadHostConfig(projectRoot);
  const joined = options.joinStorage === undefined ? undefined : joinedStorage(options.joinStorage);
  const wanted = {
    functions: options.port ?? 7071,
    ...(joined ? {} : { blob: 10000, queue: 10001, table: 10002, ...options.storagePorts }),
  };
  for (const [name, port] of Object.entries(wanted) as [keyof typeof PORT_OPTIONS, number][]) {
    if (port !== 0 && !(await isPortFree(port))) throw new PortInUseError(port, ...PORT_OPTIONS[name]);
  }
  const publicPorts: AzuritePorts = joined?.ports ?? {
    blob: wanted.blob || (await freePort()),
    queue: wanted.queue || (await freePort()),
    table: wanted.table || (await freePort()),
  };
  const azurite: RunningAzurite | undefined = joined
    ? undefined
    : await startSupervisedAzurite({
        logger,
        location: join(stateDir, 'azurite'),
        ports: { blob: await freePort(), queue: publicPorts.queue, table: publicPorts.table },
      });
  const connectionString = joined?.connectionString ?? connectionStringFor(publicPorts);
  process.env['AzureWebJobsStorage'] = connectionString;
  process.env['AUTOPILOT_STORAGE_CONNECTION_STRING'] = connectionString;
  // The sources share the host's state folder (tokens beside keys, `npm start`'s layout); a packaged
  // app gets none, as in Azure, where nothing tells it one (and its own folder is read-only).
  if (options.shareStateDirWithApp !== false) process.env['AUTOPILOT_STATE_DIR'] = stateDir;
  let host: RunningFunctionsHost;
  try {
    host = await startFunctionsHost({
      appRoot: projectRoot,
      entry,
      port: wanted.functions,
      stateDir,
      azuritePorts: joined ? undefined : publicPorts,
      logger,
      queueMessageLeaseSeconds: options.queueMessageLeaseSeconds,
      blobEvents: azurite && {
        azuriteBlobPort: azurite.ports.blob,
        publicBlobPort: publicPorts.blob,
        eventSubscriptions: options.eventSubscriptions ?? DEFAULT_EVENT_SUBSCRIPTIONS,
        retryScale: options.retryScale,
        reconcileIntervalMs: options.reconcileIntervalMs,
      },
    });
  } catch (error) {
    await azurite?.stop();
    throw error;
  }
  const base = 'http://127.0.0.1';
  let stopping: Promise<void> | undefined;
  return {
    urls: {
      functions: host.url,
      api: host.apiUrl,
      ...(joined?.urls ?? {
        blob: `${base}:${publicPorts.blob}/devstoreaccount1`,
        queue: `${base}:${publicPorts.queue}/devstoreaccount1`,
        table: `${base}:${publicPorts.table}/devstoreaccount1`,
      }),
    },
    ports: { ...publicPorts, functions: host.port },
    connectionString,
    keysPath: host.keysPath,
    stateDir,
    host,
    stop: () =>
      (stopping ??= (async () => {
        try {
          // A handler that never returns must not keep Azurite running after we are gone.
          const graceMs = 15_000;
          const timedOut = await Promise.race([host.stop().then(() => false), sleep(graceMs, true, { ref: false })]);
          if (timedOut) logger.warn(`The Functions host did not stop within ${graceMs} ms; stopping Azurite anyway`);
        } finally {
          await azurite?.stop();
        }
      })()),
  };
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}
