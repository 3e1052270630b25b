import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { connectionStringFor, startAzurite, stopChild, type AzuritePorts } from '../devhost/azurite';
import { freePort } from '../devhost/freePort';
import { summarize, type Summary } from './stats';

export type Operation = 'blob upload (1 KB)' | 'table upsert' | 'queue message' | 'table read';
export interface VariantFigures {
  latency: Record<Operation, Summary>;
  /** Wall time of `burst` upserts with `concurrency` in flight. */
  burstMs: number;
}
export interface DurabilityStep {
  /** Entities and blobs already stored when measured. */
  preloaded: number;
  /** Size of the table and blob databases (what a save writes) after the step, in bytes. */
  tableDbBytes: number;
  blobDbBytes: number;
  today: VariantFigures;
  durable: VariantFigures;
}
export interface DurabilityBench {
  samples: number;
  burst: number;
  concurrency: number;
  steps: DurabilityStep[];
}

interface Target {
  container: ContainerClient;
  table: TableClient;
  queue: QueueClient;
}

/**
 * Write latency of the embedded Azurite as devhost starts it (answers once saved) against
 * Azurite's own entry (answers at once, saves every 5 s), both persisted to disk, running
 * side by side and measured alternately, empty and then with `preload` entities and blobs
 * stored (a save writes the service's whole database, so its size matters).
 */
export async function measureAzuriteDurability(
  options = { samples: 60, burst: 256, concurrency: 16, preload: [0, 1000, 5000] },
): Promise<DurabilityBench> {
  const folder = mkdtempSync(join(tmpdir(), 'bench-azurite-'));
  const today = await startAzuriteEntry(join(folder, 'today'));
  const durable = await startAzurite({ location: join(folder, 'durable') });
  try {
    const targets = [await connect(today.ports), await connect(durable.ports)] as const;
    const steps: DurabilityStep[] = [];
    let stored = 0;
    for (const preloaded of options.preload) {
      for (const target of targets) await preload(target, stored, preloaded, 32);
      stored = preloaded;
      const [todayFigures, durableFigures] = await measurePair(targets, options.samples, `${preloaded}`);
      const bursts = [] as number[];
      for (const target of targets) bursts.push(await burst(target, options.burst, options.concurrency, `burst-${preloaded}`));
      const size = (file: string) => statSync(join(folder, 'durable', file)).size;
      steps.push({
        preloaded,
        tableDbBytes: size('__azurite_db_table__.json'),
        blobDbBytes: size('__azurite_db_blob__.json'),
        today: { ...todayFigures, burstMs: bursts[0]! },
        durable: { ...durableFigures, burstMs: bursts[1]! },
      });
    }
    return { samples: options.samples, burst: options.burst, concurrency: options.concurrency, steps };
  } finally {
    await Promise.all([today.stop(), durable.stop()]);
    rmSync(folder, { recursive: true, force: true });
  }
}

async function connect(ports: AzuritePorts): Promise<Target> {
  const connection = connectionStringFor(ports);
  const container = BlobServiceClient.fromConnectionString(connection).getContainerClient('bench');
  const table = TableClient.fromConnectionString(connection, 'bench', { allowInsecureConnection: true });
  const queue = QueueServiceClient.fromConnectionString(connection).getQueueClient('bench');
  await Promise.all([container.create(), table.createTable(), queue.create()]);
  return { container, table, queue };
}

const KB = 'x'.repeat(1024);
const entity = (key: string) => ({ partitionKey: 'bench', rowKey: key, status: 'running', stage: 'train', detail: KB.slice(0, 300) });

async function measurePair(
  targets: readonly [Target, Target],
  samples: number,
  tag: string,
): Promise<[Omit<VariantFigures, 'burstMs'>, Omit<VariantFigures, 'burstMs'>]> {
  const times = targets.map(
    () => ({ 'blob upload (1 KB)': [], 'table upsert': [], 'queue message': [], 'table read': [] }) as Record<Operation, number[]>,
  );
  const ops: Record<Operation, (t: Target, i: number) => Promise<unknown>> = {
    'blob upload (1 KB)': (t, i) => t.container.getBlockBlobClient(`m-${tag}-${i}`).upload(KB, KB.length),
    'table upsert': (t, i) => t.table.upsertEntity(entity(`m-${tag}-${i}`)),
    'queue message': (t, i) => t.queue.sendMessage(`m-${tag}-${i}`),
    'table read': (t, i) => t.table.getEntity('bench', `m-${tag}-${i}`),
  };
  for (let i = 0; i < samples; i++) {
    // Alternate which one goes first, so neither always meets the other's leftovers.
    const order = i % 2 === 0 ? [0, 1] : [1, 0];
    for (const op of Object.keys(ops) as Operation[]) {
      for (const v of order) {
        const started = performance.now();
        await ops[op](targets[v]!, i);
        times[v]![op].push(performance.now() - started);
      }
    }
  }
  const figures = times.map((t) => ({
    latency: Object.fromEntries(Object.entries(t).map(([op, v]) => [op, summarize(v)])) as Record<Operation, Summary>,
  }));
  return [figures[0]!, figures[1]!];
}

async function preload(target: Target, from: number, to: number, concurrency: number): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const i = next++;
      await Promise.all([target.table.upsertEntity(entity(`p-${i}`)), target.container.getBlockBlobClient(`p-${i}`).upload(KB, KB.length)]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function burst(target: Target, count: number, concurrency: number, tag: string): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await target.table.upsertEntity(entity(`${tag}-${next++}`));
    }),
  );
  return performance.now() - started;
}

/** Azurite's own entry, persisted, as devhost started it before writes waited for the save. */
async function startAzuriteEntry(location: string): Promise<{ ports: AzuritePorts; stop(): Promise<void> }> {
  const ports = { blob: await freePort(), queue: await freePort(), table: await freePort() };
  const child = spawn(
    process.execPath,
    [
      require.resolve('azurite/dist/src/azurite.js'),
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--loose',
      '--silent',
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      `${ports.blob}`,
      '--queueHost',
      '127.0.0.1',
      '--queuePort',
      `${ports.queue}`,
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      `${ports.table}`,
      '--location',
      location,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
      if (output.includes('Table service is successfully listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`Azurite exited with ${code}: ${output}`)));
  });
  return { ports, stop: () => stopChild(child) };
}
