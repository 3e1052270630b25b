import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkerDataGate } from '../../../adapters/worker';
import { inThreadDataGate } from '../../../shared/data/dataGate';
import { planSplit } from '../../../shared/data/holdoutSplit';
import { parseBlobCreated } from '../../../shared/events/blobCreated';
import { harness } from '../../unit/release/harness';

/** About `megabytes` of CSV: two numeric features and a two-class label. */
function bigCsv(megabytes: number): string {
  const rows: string[] = ['x,y,label'];
  let size = 0;
  for (let i = 0; size < megabytes * 1024 * 1024; i++) {
    const line = `${(i * 7919) % 100003},${((i * 104729) % 1000) / 10},${i % 3 === 0 ? 'yes' : 'no'}`;
    rows.push(line);
    size += line.length + 1;
  }
  return rows.join('\n') + '\n';
}

let server: Server;
let healthUrl: string;
beforeAll(async () => {
  server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  healthUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/health`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('WorkerDataGate', () => {
  it('keeps the event loop free: a health request sent during validation is answered before validation ends', async () => {
    const h = harness();
    h.deps.dataGate = new WorkerDataGate();
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/big.csv', bigCsv(16))));
    const step = h.queue.take()!;
    expect(step.stage).toBe('validate');

    let validated = false;
    const validation = h.runner.run(step).then(() => (validated = true));
    const health = await fetch(healthUrl).then((r) => r.text());
    // No clock: only the order of two events. Parsing 16 MB on this thread would answer after.
    expect(health).toBe('ok');
    expect(validated).toBe(false);
    await validation;
    const [release] = await h.engine.repo.list();
    expect(release!.stages.validate?.status).toBe('succeeded');
    expect(release!.data?.rows).toBeGreaterThan(500_000);
  });

  it('gives the same profile, split and refusals as the in-thread gate', async () => {
    const text = 'x,label\n' + Array.from({ length: 3000 }, (_, i) => `${i % 11 === 0 ? 'NaN' : i},${i % 5}`).join('\n') + '\n';
    const chunks = async function* () {
      for (let at = 0; at < text.length; at += 1000) yield Buffer.from(text.slice(at, at + 1000));
    };
    const options = { blob: 'c/x.csv', labelColumn: 'label', nonFinite: 'missing' as const, seed: 5 };
    const worker = new WorkerDataGate({ chunkBytes: 4096 });
    const profile = await worker.scan(chunks(), options);
    expect(profile).toEqual(await inThreadDataGate.scan(chunks(), options));
    const plan = planSplit(profile, 'c/x.csv', 0.2);
    expect(plan.blankNonFinite).toEqual([0]);
    const collect = async (gate: typeof inThreadDataGate) => {
      let holdout = '';
      const hashes: Uint8Array[] = [];
      const counts = await gate.split(chunks(), plan, async (piece) => void ((holdout += piece.holdout), hashes.push(piece.trainHashes)));
      return { counts, holdout, hashes: Buffer.concat(hashes) };
    };
    const [a, b] = [await collect(worker), await collect(inThreadDataGate)];
    expect(a.counts.trainRows + a.counts.holdoutRows).toBe(3000);
    expect(a.holdout).toBe(b.holdout);
    // The training rows' hashes cross from the worker whole: 8 bytes a row, the same as in-thread.
    expect(a.hashes.length).toBe(8 * a.counts.trainRows);
    expect(a.hashes.equals(b.hashes)).toBe(true);
    await expect(worker.scan(chunks(), { ...options, nonFinite: 'reject' })).rejects.toThrow(
      "c/x.csv: non-finite numbers in numeric columns: 'x' (NaN 273",
    );
    await expect(worker.scan(chunks(), { ...options, nonFinite: 'reject' })).rejects.toMatchObject({
      name: 'DataValidationError',
      blob: 'c/x.csv',
    });
  });

  it('checks and splits a 48 MiB stream inside a 32 MiB worker heap: the file is never held whole', async () => {
    // The heap cap makes memory a hard limit, not a timing: holding the file would end the worker.
    const gate = new WorkerDataGate({ maxHeapMegabytes: 32 });
    const block = (from: number) =>
      Array.from({ length: 20_000 }, (_, k) => `${from + k},${(from + k) % 977},${(from + k) % 3}\n`).join('');
    let bytes = 0;
    const chunks = async function* () {
      yield Buffer.from('x,y,label\n');
      for (let from = 0, sent = 0; sent < 48 * 1024 * 1024; from += 20_000) {
        const piece = Buffer.from(block(from));
        sent += piece.length;
        bytes = sent;
        yield piece;
      }
    };
    const profile = await gate.scan(chunks(), { blob: 'c/big.csv', labelColumn: 'label', seed: 42 });
    expect(bytes).toBeGreaterThan(48 * 1024 * 1024);
    let written = 0;
    let hashBytes = 0;
    const counts = await gate.split(chunks(), planSplit(profile, 'c/big.csv', 0.2), async (piece) => {
      written += piece.train.length + piece.holdout.length;
      hashBytes += piece.trainHashes.byteLength;
    });
    expect(counts.trainRows + counts.holdoutRows).toBe(profile.rows);
    // Rows are held out by their content's split point: 20% of 3.9 million rows, within a few standard deviations (0.02%).
    expect(Math.abs(counts.holdoutRows / profile.rows - 0.2)).toBeLessThan(0.002);
    expect(hashBytes).toBe(8 * counts.trainRows);
    expect(written).toBeGreaterThan(48 * 1024 * 1024);
  });

  it('fails the pass, not the host, when the worker runs out of its heap', async () => {
    // One field of ~3 MB repeated as a class label: 10,000 distinct 3 MB labels would need 30 GB.
    const gate = new WorkerDataGate({ maxHeapMegabytes: 16 });
    const big = 'z'.repeat(3 * 1024 * 1024);
    const chunks = async function* () {
      yield Buffer.from('x,label\n');
      for (let i = 0; i < 40; i++) yield Buffer.from(`${i},${big}${i}\n`);
    };
    await expect(gate.scan(chunks(), { blob: 'c/x.csv', labelColumn: 'label' })).rejects.toThrow(/the data gate's worker (failed|exited)/);
  });
});
