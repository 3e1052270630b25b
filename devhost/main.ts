/**
 * @module `npm start`: the embedded stack (Azurite + local Functions host running
 * functions/), with its URLs printed and a clean stop on Ctrl+C.
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { AutopilotError, ensureError } from '../shared/errors';
import { createHostLogger } from './logger';
import { blobCreatedSubscriptions, INFERENCE_DATA_SUBSCRIPTION, startStack, type RunningStack } from './stack';
import { loadConfigFile } from '../adapters/configFile';
import { buildDashboard } from '../scripts/buildDashboard';

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('expected a port 0-65535 (0 = any free port)');
  return port;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('npm start --')
    .description('Runs the embedded stack: Azurite and the local Functions host serving functions/.')
    .option('--port <port>', 'Functions host port (0 = free port)', portNumber, 7071)
    .option('--blob-port <port>', 'Azurite blob port, served through the blob-event proxy', portNumber, 10000)
    .option('--queue-port <port>', 'Azurite queue port', portNumber, 10001)
    .option('--table-port <port>', 'Azurite table port', portNumber, 10002)
    .option('--state-dir <dir>', 'keys, Azurite data and event state (default: $AUTOPILOT_STATE_DIR, else .autopilot in the project)')
    .option('--functions <entry>', 'functions entry module (default: functions/index.ts, or the package.json main of --app)')
    .option(
      '--app <dir>',
      'run a packaged function app folder (npm run package) instead of the sources: its host.json and package.json main',
    )
    .option(
      '--join-storage <connection-string>',
      "join another host's storage account (a scale-out instance: no Azurite, no blob events; env AUTOPILOT_JOIN_STORAGE)",
    )
    .option('--endpoints-port <port>', 'port of the local online endpoints (env AUTOPILOT_ENDPOINTS_PORT)', portNumber)
    .option(
      '--log-format <format>',
      'host log lines: text or json',
      (v) => {
        if (v !== 'text' && v !== 'json') throw new InvalidArgumentError('expected text or json');
        return v;
      },
      'text',
    )
    .parse();
  const opts = program.opts<{
    port: number;
    blobPort: number;
    queuePort: number;
    tablePort: number;
    stateDir?: string;
    functions?: string;
    app?: string;
    endpointsPort?: number;
    logFormat: 'text' | 'json';
    joinStorage?: string;
  }>();
  const joinStorage = opts.joinStorage ?? (process.env['AUTOPILOT_JOIN_STORAGE'] || undefined);
  // The app's endpoint router reads this when it starts inside the host.
  if (opts.endpointsPort !== undefined) process.env['AUTOPILOT_ENDPOINTS_PORT'] = String(opts.endpointsPort);
  const endpointsPort = process.env['AUTOPILOT_ENDPOINTS_PORT'] ?? '7072';

  // The dashboard's bundle, fresh from dashboard/src (a packaged app brings its own).
  if (!opts.app) await buildDashboard();
  const stack: RunningStack = await startStack({
    eventSubscriptions: [
      ...blobCreatedSubscriptions(watchedContainers(process.env['AUTOPILOT_CONFIG'] ?? 'autopilot.yaml')),
      INFERENCE_DATA_SUBSCRIPTION,
    ],
    port: opts.port,
    storagePorts: { blob: opts.blobPort, queue: opts.queuePort, table: opts.tablePort },
    stateDir: opts.stateDir,
    ...(opts.app ? { projectRoot: resolve(opts.app), shareStateDirWithApp: false } : {}),
    functionsEntry: opts.functions ?? (opts.app ? packageMain(resolve(opts.app)) : 'functions/index.ts'),
    joinStorage,
    logger: createHostLogger({ format: opts.logFormat }),
  });
  const relativeKeys = relative(process.cwd(), stack.keysPath);
  const keys = relativeKeys && !relativeKeys.startsWith('..') ? relativeKeys : stack.keysPath;
  const endpoints =
    endpointsPort === '0'
      ? 'http://127.0.0.1:<free port>/endpoints/<name>/score (see the log)'
      : `http://127.0.0.1:${endpointsPort}/endpoints/<name>/score`;
  process.stdout.write(
    [
      '',
      'mlops-autopilot local stack is running:',
      `  Functions host    ${stack.urls.api}   (function keys: ${keys})`,
      `  Dashboard         ${stack.urls.functions}/  (sign in: run \`autopilot open\` in another terminal; --as reader|data_scientist|ml_engineer)`,
      ...(joinStorage
        ? [`  Joined storage    ${stack.urls.blob} (queues and timers shared with the hosts on it; blob events come from the first host)`]
        : [`  Azurite blob      ${stack.urls.blob}`, `  Azurite queue     ${stack.urls.queue}`, `  Azurite table     ${stack.urls.table}`]),
      `  Local endpoints   ${endpoints}`,
      `  Connection        ${joinStorage ? 'AUTOPILOT_STORAGE_CONNECTION_STRING (the joined account)' : `UseDevelopmentStorage=true${stack.ports.blob === 10000 && stack.ports.queue === 10001 && stack.ports.table === 10002 ? '' : ' does not apply (custom ports); use AUTOPILOT_STORAGE_CONNECTION_STRING'}`}`,
      `  State             ${stack.stateDir}`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      process.stderr.write(`Second ${signal}: exiting without a clean stop\n`);
      process.exit(130);
    }
    stopping = true;
    process.stdout.write(`\n${signal} received, stopping...\n`);
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Stop failed: ${ensureError(error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  // Our errors say what to do; anything else gets its stack.
  const text = error instanceof AutopilotError ? error.message : (ensureError(error).stack ?? String(error));
  process.stderr.write(`Error: could not start the local stack: ${text}\n`);
  process.exit(1);
});

/**
 * The containers the app's pipelines watch. The app reports a broken autopilot.yaml itself
 * when it starts; until then the default container is watched.
 */
function watchedContainers(configPath: string): string[] {
  try {
    return Object.values(loadConfigFile(configPath).config.pipelines).map((p) => p.data.container);
  } catch {
    return ['training-data'];
  }
}

/** What Azure Functions loads from a Node app folder: package.json `main`. */
function packageMain(app: string): string {
  const main = (JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { main?: unknown }).main;
  if (typeof main !== 'string' || !main)
    throw new AutopilotError(`${join(app, 'package.json')} names no "main": the function app's entry (npm run package writes it)`);
  return main;
}
