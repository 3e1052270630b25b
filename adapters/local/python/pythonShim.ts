import { accessSync, constants } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { missingInterpreterMessage, pythonInterpreter } from './pythonInterpreter';

/**
 * Writes `python` and `python3` into `dir`, each running the interpreter the user chose
 * (AUTOPILOT_PYTHON, else python3 on PATH), so a job command written for Azure ML
 * (`python train.py ...`, where the curated environment provides `python`) runs unchanged:
 * Debian has no `python`, and PATH's python3 may be a build without the user's packages.
 * Put `dir` first on the job's PATH.
 */
export async function writePythonShims(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const interpreter = pythonInterpreter(env);
  const resolved = resolveExecutable(interpreter, env['PATH'] ?? '');
  const body = resolved
    ? `exec ${shellQuote(resolved)} "$@"\n`
    : `echo ${shellQuote(`autopilot: ${missingInterpreterMessage(interpreter)}`)} >&2\nexit 127\n`;
  await mkdir(dir, { recursive: true });
  const script = `#!/bin/sh\n# Written by mlops-autopilot: \`python\` in a job command is AUTOPILOT_PYTHON (docs/model-format.md).\n${body}`;
  await Promise.all(['python', 'python3'].map((name) => writeFile(join(dir, name), script, { mode: 0o755 })));
}

/** The absolute path of an executable named or given by path, searched on `path`; undefined when there is none. */
function resolveExecutable(name: string, path: string): string | undefined {
  const candidates =
    isAbsolute(name) || name.includes('/')
      ? [name]
      : path
          .split(delimiter)
          .filter(Boolean)
          .map((dir) => join(dir, name));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
