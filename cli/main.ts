import { CommanderError } from 'commander';
import { CommandContext } from './context';
import { CliError } from './errors';
import { processIo, type CliIo } from './io';
import { createProgram } from './program';

/**
 * Runs the CLI and resolves to its exit code (EXIT in errors.ts: 0 ok, 1 failed, 2 usage,
 * 3 auth, 4 not found, 5 API unreachable).
 * Errors become one line on stderr; stdout carries only the command's output.
 */
export async function main(argv: readonly string[] = process.argv, io: CliIo = processIo()): Promise<number> {
  const context = new CommandContext(io);
  try {
    await createProgram(context).parseAsync([...argv]);
    return context.exitCode;
  } catch (error) {
    // Commander has already printed its message (or the help/version it was asked for).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof CliError) {
      io.stderr.write(`autopilot: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? (io.env.AUTOPILOT_DEBUG ? (error.stack ?? error.message) : error.message) : String(error);
    io.stderr.write(`autopilot: ${message}\n`);
    return 1;
  }
}

export function runAsProcess(): void {
  void main().then((code) => {
    process.exitCode = code;
    // HTTP keep-alive sockets of the SDKs could hold the process open a few seconds.
    setTimeout(() => process.exit(code), 200).unref();
  });
}

if (require.main === module) runAsProcess();
