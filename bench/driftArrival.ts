/**
 * Section 7's arrival side: inference blobs are summarised by the host's `inferenceBlobCreated`
 * function as their BlobCreated events arrive. What that work costs, from the function's own log
 * lines (wall and process CPU per invocation) and from the host process's CPU while the window
 * arrived, and a wait for every blob's summary before the monitor run is timed.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { cpuMicrosOf } from './procStat';

/** User + system CPU seconds a process has used so far, from /proc (Linux). */
export function processCpuSeconds(pid: number): number {
  return cpuMicrosOf(pid) / 1e6;
}

/** Polls until `count` summaries of blobs under `blobPrefix` are stored (any key), or throws at the deadline. */
export async function waitForSummaries(artifacts: ContainerClient, blobPrefix: string, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let found = 0;
    for await (const b of artifacts.listBlobsFlat({ prefix: 'drift-summaries/' }))
      if (b.name.split('/').slice(2).join('/').startsWith(blobPrefix)) found++;
    if (found >= count) return;
    if (Date.now() > deadline)
      throw new Error(`only ${found} of ${count} blobs under ${blobPrefix} were summarised on arrival within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface ArrivalCosts {
  blobs: number;
  records: number;
  /** Summed over the invocations, as each logged it. */
  wallSeconds: number;
  cpuSeconds: number;
}

const LINE = /summarised inference-data\/(\S+) for \S+ \(\S+\): (\d+) records in (\d+) ms wall, (\d+) ms CPU/g;

/**
 * The host's `summarised <blob> ... N records in X ms wall, Y ms CPU` lines for blobs under
 * `blobPrefix`, gathered while they are logged (the child stack keeps only its output's tail).
 */
export class ArrivalLog {
  private readonly seen = new Map<string, [records: number, wallMs: number, cpuMs: number]>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly output: () => string,
    private readonly blobPrefix: string,
  ) {
    this.timer = setInterval(() => this.gather(), 200);
  }

  stop(): ArrivalCosts {
    clearInterval(this.timer);
    this.gather();
    const costs: ArrivalCosts = { blobs: this.seen.size, records: 0, wallSeconds: 0, cpuSeconds: 0 };
    for (const [records, wallMs, cpuMs] of this.seen.values()) {
      costs.records += records;
      costs.wallSeconds += wallMs / 1000;
      costs.cpuSeconds += cpuMs / 1000;
    }
    return costs;
  }

  private gather(): void {
    for (const m of this.output().matchAll(LINE)) {
      if (m[1]!.startsWith(this.blobPrefix)) this.seen.set(m[1]!, [Number(m[2]), Number(m[3]), Number(m[4])]);
    }
  }
}
