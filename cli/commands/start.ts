import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { parsePort } from '../parsers';

/** The package root: cli/commands/ is two levels below it, in a clone and in node_modules. */
export const PACKAGE_ROOT = resolve(__dirname, '..', '..');
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

interface StartOptions {
  port?: number;
  blobPort?: number;
}

export function registerStartCommand(program: Command, context: CommandContext): void {
  program
    .command('start')
    .summary('Run the embedded local stack (like `npm start`); to start a release use `autopilot run`')
    .description(
      'Run the embedded local stack in the foreground: Azurite, the local Functions host and a local ML ' +
        'workspace per environment, exactly what `npm start` runs. Ctrl-C stops it.\n\n' +
        'This starts the stack, not a release: to start a release (a manual retrain) use `autopilot run <pipeline>`.',
    )
    .argument('[hostOptions...]', 'further options for the stack after `--` (see `npm start -- --help`)')
    .option('--port <port>', 'Functions host HTTP port (default 7071)', parsePort)
    .option('--blob-port <port>', 'public Blob Storage port (default 10000)', parsePort)
    .addHelpText(
      'after',
      '\nThe global --state-dir (default .autopilot, env AUTOPILOT_STATE_DIR) is where the stack keeps its data and tokens.\n' +
        'Example: autopilot start --port 7171 -- --queue-port 10011 --table-port 10012',
    )
    .action(async (hostOptions: string[], options: StartOptions, command: Command) => {
      const globals = context.globals(command);
      const args: string[] = [];
      if (options.port !== undefined) args.push('--port', String(options.port));
      if (options.blobPort !== undefined) args.push('--blob-port', String(options.blobPort));
      if (globals.stateDir !== undefined) args.push('--state-dir', context.stateDir(command));
      args.push(...hostOptions);
      context.exitCode = await runStack(args, context.io.env);
    });
}

/** Spawns `node --import tsx devhost/main.ts`, inherits stdio and forwards stop signals. */
export async function runStack(args: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  const entry = join(PACKAGE_ROOT, 'devhost', 'main.ts');
  if (!existsSync(entry))
    throw new CliError(`The local stack entry point ${entry} is missing; is this a complete checkout of mlops-autopilot?`);
  // Resolve tsx from this package, not the cwd, so `autopilot start` works from any folder.
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  // Its own process group: a terminal's Ctrl-C then reaches only us and the stack gets
  // exactly one SIGINT (forwarded below); two would make it skip its clean stop.
  const child = spawn(process.execPath, ['--import', tsx, entry, ...args], {
    stdio: 'inherit',
    env: env as NodeJS.ProcessEnv,
    detached: true,
  });
  const forward = (signal: NodeJS.Signals) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const handlers = FORWARDED_SIGNALS.map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  // Should we die some other way, do not leave the stack running detached.
  const killOnExit = forward('SIGTERM');
  process.on('exit', killOnExit);
  try {
    return await new Promise<number>((resolvePromise, reject) => {
      child.once('error', (error) => reject(new CliError(`Cannot start the local stack: ${error.message}`)));
      child.once('exit', (code, signal) => resolvePromise(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
    });
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    process.off('exit', killOnExit);
  }
}
