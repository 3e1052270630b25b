import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import type { AzuritePorts } from './azurite';
import { BlobEventSource, type BlobEventSourceOptions } from './blobEventSource';
import { FunctionsEntryError, PortInUseError } from './errors';
import { FunctionInvoker } from './functionInvoker';
import { FunctionsCore, installFunctionsCore } from './functionsCore';
import { applyLocalSettings, loadHostConfig, type HostConfig } from './hostConfig';
import { createHostHttpServer } from './hostHttpServer';
import { EVENTGRID_SYSTEM_KEY, loadOrCreateHostKeys, type HostKeys } from './hostKeys';
import { HttpRouteTable } from './httpRouteTable';
import { createHostLogger, type HostLogger } from './logger';
import { loadFunctionsEntry } from './loadFunctionsEntry';
import { startTriggers, type RunningTriggers } from './startTriggers';
import { ensureError } from '../shared/errors';

/** The repository root (devhost/..), where host.json and functions/ live. */
export const PROJECT_ROOT = resolve(__dirname, '..');

export interface FunctionsHostOptions {
  /** Folder holding host.json and local.settings.json. @default the project root */
  appRoot?: string;
  /** Functions entry module (relative to appRoot or absolute). @default functions/index.ts */
  entry?: string;
  /** HTTP port; 0 picks a free one. @default local.settings.json Host.LocalHttpPort, else 7071 */
  port?: number;
  /** Where keys and trigger state are kept. @default $AUTOPILOT_STATE_DIR, else <appRoot>/.autopilot */
  stateDir?: string;
  /** Azurite ports that `UseDevelopmentStorage=true` stands for. @default 10000-10002 */
  azuritePorts?: AzuritePorts;
  /** Synthesized blob events (proxy + reconciliation + delivery). @default off */
  blobEvents?: Omit<BlobEventSourceOptions, 'stateDir' | 'webhookUrl' | 'logger'>;
  /** How long a received queue message stays invisible per lease (renewed while running). @default 60 */
  queueMessageLeaseSeconds?: number;
  /** @default a text logger on stdout/stderr */
  logger?: HostLogger;
}

export interface RunningFunctionsHost {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Base URL of HTTP functions, e.g. http://127.0.0.1:7071/api */
  readonly apiUrl: string;
  readonly port: number;
  /** Where the keys are stored (print this, never the keys). */
  readonly keysPath: string;
  readonly keys: HostKeys;
  readonly functions: readonly { name: string; trigger: string }[];
  /** Port of the blob proxy when blob events are on. */
  readonly blobProxyPort: number | undefined;
  /** Lets callers (and tests) run a reconciliation now. */
  reconcileBlobEvents(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the local Functions host: loads the app's registrations through our
 * `@azure/functions-core`, then serves HTTP triggers and the Event Grid webhook, polls
 * queues, runs timers and (optionally) synthesizes blob events. One host per process,
 * because `@azure/functions` binds to its host once.
 */
export async function startFunctionsHost(options: FunctionsHostOptions = {}): Promise<RunningFunctionsHost> {
  const appRoot = resolve(options.appRoot ?? PROJECT_ROOT);
  const logger = options.logger ?? createHostLogger();
  const config: HostConfig = loadHostConfig(appRoot);
  applyLocalSettings(config.values);
  const entry = resolveEntry(appRoot, options.entry ?? 'functions/index.ts');
  if (!existsSync(entry)) {
    throw new FunctionsEntryError(
      entry,
      'file not found. Create it (it registers the functions with app.http, app.eventGrid, ...) or pass --functions <entry>',
    );
  }
  const stateDir = resolve(options.stateDir ?? process.env['AUTOPILOT_STATE_DIR'] ?? join(appRoot, '.autopilot'));
  mkdirSync(stateDir, { recursive: true });
  const { keys, path: keysPath } = loadOrCreateHostKeys(stateDir);

  const core = new FunctionsCore((level, message) => logger.log(level, message, { category: 'system' }));
  installFunctionsCore(core);
  loadFunctionsEntry(entry, appRoot);
  core.lock();

  const invoker = new FunctionInvoker(core, logger, config.functionTimeoutMs);
  const routes = new HttpRouteTable(core.byTrigger('httpTrigger'), config.routePrefix);
  const startedAt = Date.now();
  const server = createHostHttpServer({
    core,
    invoker,
    routes,
    keys,
    logger,
    status: () => ({ id: 'autopilot-local', state: 'Running', version: '4.0.0-local', processUptime: Date.now() - startedAt }),
  });

  const hookData: Record<string, unknown> = {};
  for (const hook of core.hooks.appStart) await hook({ hookData });

  const port = await listen(server, options.port ?? config.localHttpPort ?? 7071);
  const url = `http://127.0.0.1:${port}`;
  // Links in notifications point here unless the user named a public URL (the port may be a free one).
  process.env['AUTOPILOT_PUBLIC_URL'] ||= url;
  let triggers: RunningTriggers | undefined;
  let blobEvents: BlobEventSource | undefined;
  const stop = async () => {
    await blobEvents?.stopEmitting();
    await triggers?.stop();
    for (const hook of core.hooks.appTerminate) {
      await Promise.resolve(hook({ hookData })).catch((e: unknown) => logger.warn(`appTerminate hook failed: ${ensureError(e).message}`));
    }
    // Only now: what the app writes while it stops (buffered inference data) goes through the blob proxy.
    await blobEvents?.stop();
    await new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    });
  };
  try {
    triggers = startTriggers({
      core,
      invoker,
      logger,
      stateDir,
      queues: config.queues,
      azuritePorts: options.azuritePorts,
      leaseSeconds: options.queueMessageLeaseSeconds,
    });
    if (options.blobEvents) {
      const webhookKey = keys.systemKeys[EVENTGRID_SYSTEM_KEY]!;
      blobEvents = new BlobEventSource({
        ...options.blobEvents,
        stateDir,
        logger,
        webhookUrl: (name) =>
          `${url}/runtime/webhooks/eventgrid?functionName=${encodeURIComponent(name)}&code=${encodeURIComponent(webhookKey)}`,
      });
      for (const sub of options.blobEvents.eventSubscriptions) {
        if (!core.find(sub.functionName)?.trigger.type.match(/^eventGridTrigger$/i)) {
          logger.warn(
            `Event subscription for '${sub.functionName}' targets no registered Event Grid function; its events will fail and be dead-lettered`,
          );
        }
      }
      await blobEvents.start();
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  const functions = [...core.functions.values()].map((f) => ({ name: f.name, trigger: f.trigger.type }));
  logger.info(
    `Functions host started on ${url} with ${functions.length} function(s): ${functions.map((f) => `${f.name} [${f.trigger}]`).join(', ')}`,
  );
  return {
    url,
    apiUrl: routes.routePrefix ? `${url}/${routes.routePrefix}` : url,
    port,
    keysPath,
    keys,
    functions,
    blobProxyPort: blobEvents?.port,
    reconcileBlobEvents: () => blobEvents?.reconcile() ?? Promise.resolve(),
    stop,
  };
}

function resolveEntry(appRoot: string, entry: string): string {
  return isAbsolute(entry) ? entry : resolve(appRoot, entry);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, 'Functions host', '--port') : error);
    });
    server.listen(port, '127.0.0.1', () => resolvePort((server.address() as AddressInfo).port));
  });
}
