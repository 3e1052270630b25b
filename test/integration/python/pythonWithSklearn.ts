import { execFileSync } from 'node:child_process';

/** The interpreter the Python tests run user code with: AUTOPILOT_PYTHON, else Debian's (python3-sklearn lives there). */
export const PYTHON = process.env['AUTOPILOT_PYTHON'] || '/usr/bin/python3';

/** Fails the suite, saying how to fix it, when PYTHON cannot import what the examples need (never a silent skip). */
export function requireSklearn(): void {
  try {
    execFileSync(PYTHON, ['-c', 'import sklearn, pandas, joblib']);
  } catch {
    throw new Error(
      `${PYTHON} cannot import sklearn, pandas and joblib: apt-get install python3-sklearn python3-pandas (.ci/run does), or set AUTOPILOT_PYTHON`,
    );
  }
}
