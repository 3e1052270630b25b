import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

/** One measured stretch of the bench, on CLOCK_MONOTONIC in µs (the clock of V8's profile samples). */
export interface Phase {
  label: string;
  startUs: number;
  endUs: number;
}

export interface ProfileSummary {
  /** Wall time the phases covered, and the share of it the stack's main thread was not idle. */
  phaseMs: number;
  busyMs: number;
  /** Self time per function while busy, most first. */
  top: { name: string; ms: number; share: number }[];
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const ROOT = resolve(__dirname, '..');

/**
 * Where the stack process's main thread spent the `phases` (by the samples of the profile it
 * wrote with --cpu-prof on exit): self time per function, idle left out.
 */
export async function profileOfPhases(dir: string, pid: number, phases: readonly Phase[], top = 15): Promise<ProfileSummary> {
  // --cpu-prof names files CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main one.
  const file = (await readdir(dir)).find((name) => new RegExp(`^CPU\\.\\d+\\.\\d+\\.${pid}\\.0\\.\\d+\\.cpuprofile$`).test(name));
  if (!file) throw new Error(`bench: no CPU profile of process ${pid} in ${dir} (did the stack stop cleanly?)`);
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
  const names = new Map(profile.nodes.map((node) => [node.id, nameOf(node.callFrame)]));
  const self = new Map<string, number>();
  let at = profile.startTime;
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (!phases.some((phase) => at >= phase.startUs && at < phase.endUs)) continue;
    const name = names.get(profile.samples[i]!) ?? '?';
    if (name === '(idle)') continue;
    const us = profile.timeDeltas[i + 1] ?? 0;
    self.set(name, (self.get(name) ?? 0) + us);
    busy += us;
  }
  const phaseMs = phases.reduce((sum, phase) => sum + (phase.endUs - phase.startUs), 0) / 1000;
  return {
    phaseMs,
    busyMs: busy / 1000,
    top: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: busy > 0 ? us / busy : 0 })),
  };
}

function nameOf(frame: CpuProfile['nodes'][number]['callFrame']): string {
  if (!frame.url) return frame.functionName || '(anonymous)';
  const where = frame.url.startsWith('file://') ? relative(ROOT, new URL(frame.url).pathname) : frame.url;
  return `${frame.functionName || '(anonymous)'} ${where.replace(/^.*node_modules\//, '')}:${frame.lineNumber + 1}`;
}
