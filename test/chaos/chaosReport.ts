import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface TrialResult {
  trial: number;
  /** The stage the trial aimed at. */
  target: string;
  /** The stage the release was in just before the kill (it may have moved on). */
  killedIn: string;
  releases: number;
  status: string;
  reason: string;
  /** From the restart until the release ended. */
  recoverySeconds: number;
}

/**
 * Writes what a chaos run did to `bench/chaos/<name>.json` (uncommitted unless a person
 * chooses to), so docs/reliability.md can quote real figures and a failure can be replayed.
 */
export function writeChaosReport(name: string, report: Record<string, unknown>): void {
  const dir = resolve(__dirname, '../../bench/chaos');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ at: new Date().toISOString(), ...report }, null, 2));
}
