import type { Release, Stage } from './types';

/** What usually kills the host in a stage, and what to do about it. */
const FIXES: Partial<Record<Stage, string>> = {
  validate:
    "the data file is likely too large for the host's memory: split it into smaller files or lower data.maxMegabytes, or give the host more memory",
  train: 'the training job likely exhausted the host: lower its resource use in the job spec or run it on a compute target',
  evaluate: 'scoring the holdout likely exhausted the host: lower data.holdoutFraction or give the host more memory',
};

/**
 * Why a release is failed instead of re-driven again: its current stage was started
 * twice and neither run finished (a run kept alive by its heartbeat is not counted, and
 * any run that ends in-process, even with an error, resets the count).
 */
export function crashedTwiceReason(release: Release): string {
  const stage = release.stage;
  const record = release.stages[stage];
  const since = record?.startedAt ? ` since ${record.startedAt}` : '';
  const fix = FIXES[stage] ?? "look for an out-of-memory kill or a crash in the host's log";
  return (
    `${stage} crashed the host twice (${record?.starts ?? 2} runs started${since}, none finished); ` +
    `not re-driven again. ${fix}; see the host's log around those times, then start a new release`
  );
}
