/** The process edges a command touches, passed in so tests can run commands in-process. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Terminal width when a TTY. */
  columns?: number;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Prints a value as the only thing on stdout (the `--json` contract). */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(io: CliIo, lines: readonly string[]): void {
  if (lines.length > 0) io.stdout.write(`${lines.join('\n')}\n`);
}

/** The same io with stdout discarded: `--json --wait` must print nothing but the final JSON. */
export function withoutStdout(io: CliIo): CliIo {
  return { ...io, stdout: { write: () => true, isTTY: false } };
}
