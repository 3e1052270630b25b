/**
 * Which Python runs users' code locally (training commands, score.py, MLflow models), and
 * what to tell them when it cannot: a missing interpreter or module is the usual first-day
 * failure, so the message names the fix.
 */

/** `AUTOPILOT_PYTHON`, else `python3` on PATH. */
export function pythonInterpreter(env: NodeJS.ProcessEnv = process.env): string {
  return env['AUTOPILOT_PYTHON']?.trim() || 'python3';
}

export function missingInterpreterMessage(interpreter: string): string {
  return `the Python interpreter '${interpreter}' was not found: install Python 3.9+ or set AUTOPILOT_PYTHON to the interpreter that has your packages (e.g. AUTOPILOT_PYTHON=/usr/bin/python3)`;
}

// Debian packages for the modules data scientists import most; others are guessed as python3-<name>.
const DEBIAN_PACKAGES: Record<string, string> = {
  sklearn: 'python3-sklearn',
  yaml: 'python3-yaml',
  cv2: 'python3-opencv',
  PIL: 'python3-pil',
};

/** A hint for Python output that shows a missing module; undefined when it shows none. */
export function pythonHint(output: string, interpreter: string): string | undefined {
  const missing = /ModuleNotFoundError: No module named '([^'.]+)/.exec(output);
  if (!missing) return undefined;
  const module = missing[1]!;
  const debian = DEBIAN_PACKAGES[module] ?? `python3-${module.toLowerCase()}`;
  return (
    `hint: Python module '${module}' is not installed for ${interpreter}. Install it for that interpreter ` +
    `(Debian: apt-get install ${debian}, which serves /usr/bin/python3; or pip install ${module === 'sklearn' ? 'scikit-learn' : module}), ` +
    'or set AUTOPILOT_PYTHON to an interpreter that has it'
  );
}
