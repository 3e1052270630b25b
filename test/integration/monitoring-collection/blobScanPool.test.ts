import { settingsFrom, type AppSettings } from '../../../adapters/settings';
import { WorkerBlobScanPool, blobScanPoolFrom } from '../../../adapters/worker';
import type { BlobScanPool } from '../../../shared/monitoring/blobScanPool';
import { outcome, run, setup } from '../../unit/monitoring-collection/windowFixture';

/** Counts the blobs each lane scanned, passing them to real worker threads. */
function countingPool(pool: BlobScanPool, lanes: number[]): BlobScanPool {
  return {
    parallelism: pool.parallelism,
    open: (job) => {
      const session = pool.open(job);
      return { scan: (lane, blob, chunks) => (lanes.push(lane), session.scan(lane, blob, chunks)), close: () => session.close() };
    },
  };
}

describe('WorkerBlobScanPool', () => {
  const W1 = ['2025-03-04T05:00:00.000Z', '2025-03-04T08:00:00.000Z'] as const;

  test('blobs scanned on two worker threads give exactly the window, read counts and summaries of one thread', async () => {
    const { baseline, store } = await setup();
    const single = await outcome(run(store, baseline, ...W1, false));
    const lanes: number[] = [];
    // Small pieces: each blob crosses many messages and lines cross pieces.
    const pooled = await run(
      store,
      baseline,
      ...W1,
      true,
      countingPool(new WorkerBlobScanPool({ parallelism: 2, chunkBytes: 1000 }), lanes),
    );
    expect(lanes.sort()).toEqual([0, 0, 1, 1]);
    expect(pooled.summaries).toMatchObject({ merged: 0, written: 3 });
    expect({ window: pooled.window.toJSON(), stats: pooled.stats }).toEqual(single);
    // The summaries the workers' windows left are the ones a single thread leaves: a warm run merges them to the same window.
    const warm = await run(store, baseline, ...W1);
    expect(warm.summaries.merged).toBe(3);
    expect({ window: warm.window.toJSON(), stats: warm.stats }).toEqual(single);
  });

  test('a worker that dies (here: out of heap) rejects the run instead of hanging it', async () => {
    const { baseline, store } = await setup();
    const pool = new WorkerBlobScanPool({ parallelism: 1, maxHeapMegabytes: 1 });
    await expect(run(store, baseline, ...W1, false, pool)).rejects.toThrow(/blob scan worker (failed|exited)/);
  });
});

describe('blobScanPoolFrom', () => {
  test('AUTOPILOT_MONITOR_SCAN_THREADS: unset or 0 keeps scans on the host thread, N asks for N workers, anything else is refused by name', () => {
    const poolFrom = (env: AppSettings) => blobScanPoolFrom(settingsFrom(env).monitorScanThreads);
    expect(poolFrom({})).toBeUndefined();
    expect(poolFrom({ AUTOPILOT_MONITOR_SCAN_THREADS: '0' })).toBeUndefined();
    expect(poolFrom({ AUTOPILOT_MONITOR_SCAN_THREADS: '2' })?.parallelism).toBe(2);
    for (const bad of ['two', '-1', '1.5', '99'])
      expect(() => poolFrom({ AUTOPILOT_MONITOR_SCAN_THREADS: bad })).toThrow(/AUTOPILOT_MONITOR_SCAN_THREADS: must be a whole number/);
  });
});
