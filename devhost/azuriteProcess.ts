/**
 * Azurite's own entry (azurite/dist/src/azurite.js) rebuilt from the classes it is made
 * of, so we can reach the LokiJS databases behind each service and answer a write only
 * once it is on disk (see durableResponses). Takes Azurite's command-line flags, run by
 * startAzurite as a child process. Exits cleanly (databases saved) on SIGTERM, SIGINT or
 * when the process that started it goes away (its stdin closes; see STOP_WITH_PARENT).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { holdResponsesUntilSaved, type LokiDatabase } from './durableResponses';
import { STOP_WITH_PARENT } from './azurite';

interface Server {
  httpServer: import('node:http').Server;
  start(): Promise<void>;
  close(): Promise<void>;
  /** LokiBlobMetadataStore, LokiQueueMetadataStore or LokiTableMetadataStore; each keeps a Loki `db`. */
  metadataStore?: { db?: unknown };
  /** LokiExtentMetadataStore (blob and queue services). */
  extentMetadataStore?: { db?: unknown };
}
type Ctor<T> = new (...args: unknown[]) => T;

const dist = (path: string) => require(`azurite/dist/src/${path}`) as Record<string, unknown>;
const Environment = dist('common/Environment').default as Ctor<Record<string, () => unknown>>;
const { BlobServerFactory } = dist('blob/BlobServerFactory') as {
  BlobServerFactory: Ctor<{ createServer(env: unknown): Promise<Server> }>;
};
const QueueConfiguration = dist('queue/QueueConfiguration').default as Ctor<unknown>;
const QueueServer = dist('queue/QueueServer').default as Ctor<Server>;
const queueConstants = dist('queue/utils/constants') as Record<string, string> & {
  DEFAULT_QUEUE_PERSISTENCE_ARRAY: { locationPath: string }[];
};
const TableConfiguration = dist('table/TableConfiguration').default as Ctor<unknown>;
const TableServer = dist('table/TableServer').default as Ctor<Server>;
const tableConstants = dist('table/utils/constants') as Record<string, string>;
const { setExtentMemoryLimit } = dist('common/ConfigurationBase') as { setExtentMemoryLimit(env: unknown, log: boolean): void };

async function main(): Promise<void> {
  // Parses process.argv: the same flags as the `azurite` command.
  const env = new Environment();
  const location = (await env['location']!()) as string;
  const inMemory = env['inMemoryPersistence']!() as boolean;
  const debug = (await env['debug']!()) as string | undefined;
  mkdirSync(location, { recursive: true });
  const blob = await new BlobServerFactory().createServer(env);
  queueConstants.DEFAULT_QUEUE_PERSISTENCE_ARRAY[0]!.locationPath = join(location, queueConstants['DEFAULT_QUEUE_PERSISTENCE_PATH']!);
  const common = [
    env['skipApiVersionCheck']!(),
    env['cert']!(),
    env['key']!(),
    env['pwd']!(),
    env['oauth']!(),
    env['disableProductStyleUrl']!(),
    inMemory,
  ];
  // The argument lists of azurite.js's main() (azurite 3.35).
  const queue = new QueueServer(
    new QueueConfiguration(
      env['queueHost']!(),
      env['queuePort']!(),
      env['queueKeepAliveTimeout']!(),
      join(location, queueConstants['DEFAULT_QUEUE_LOKI_DB_PATH']!),
      join(location, queueConstants['DEFAULT_QUEUE_EXTENT_LOKI_DB_PATH']!),
      queueConstants.DEFAULT_QUEUE_PERSISTENCE_ARRAY,
      !env['silent']!(),
      undefined,
      debug !== undefined,
      debug,
      env['loose']!(),
      ...common,
    ),
  );
  const table = new TableServer(
    new TableConfiguration(
      env['tableHost']!(),
      env['tablePort']!(),
      env['tableKeepAliveTimeout']!(),
      join(location, tableConstants['DEFAULT_TABLE_LOKI_DB_PATH']!),
      debug !== undefined,
      !env['silent']!(),
      undefined,
      debug,
      env['loose']!(),
      ...common,
    ),
  );
  setExtentMemoryLimit(env, true);
  const servers = [blob, queue, table];
  if (!inMemory) {
    const report = (what: string, error: unknown) => process.stderr.write(`Azurite ${what}: ${String(error)}\n`);
    for (const server of servers) holdResponsesUntilSaved(server.httpServer, lokiDatabases(server), report);
  }
  for (const server of servers) await server.start();
  process.stdout.write(`Azurite listening (${inMemory ? 'in memory' : `persisted in ${location}, writes acknowledged once saved`})\n`);

  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    // close() saves each database (LokiJS saves on close when autosave is on).
    void Promise.allSettled(servers.map((s) => s.close())).then(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown).once('SIGINT', shutdown);
  // Only when started by startAzurite, whose pipe closes when it dies (stdin at /dev/null ends at once).
  if (process.env[STOP_WITH_PARENT] === '1') process.stdin.on('end', shutdown).on('error', shutdown).resume();
}

/** The Loki databases of a service; fails loudly if an Azurite upgrade moved them. */
function lokiDatabases(server: Server): LokiDatabase[] {
  const stores = [server.metadataStore, server.extentMetadataStore].filter((s) => s !== undefined);
  const databases = stores.map((store) => store.db as Partial<LokiDatabase> | undefined);
  if (stores.length === 0 || !databases.every(isLoki)) {
    throw new Error(
      `${server.constructor.name}: Azurite's metadata stores no longer expose a LokiJS 'db'; writes could not be made durable. ` +
        'Check devhost/azuriteProcess.ts against the installed azurite version (written for 3.35).',
    );
  }
  return databases;
}

function isLoki(db: Partial<LokiDatabase> | undefined): db is LokiDatabase {
  return typeof db?.autosaveDirty === 'function' && typeof db.saveDatabase === 'function' && typeof db.throttledSavePending === 'boolean';
}

main().catch((error: unknown) => {
  process.stderr.write(`Azurite failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
