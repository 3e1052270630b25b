/**
 * @module `node --import tsx bench/dataGate.ts [--megabytes 250]`: the data gate on one large
 * CSV in Azurite, as the host runs it (BlobDataStore streams + WorkerDataGate), measuring the
 * process's peak RSS above its baseline, wall time, and how long the event loop was held.
 * Prints a Markdown section for bench/RESULTS.md.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createStorage } from '../adapters/azure/storage';
import { WorkerDataGate } from '../adapters/worker';
import { startAzurite } from '../devhost/azurite';
import { parseConfig } from '../shared/config/parseConfig';
import { normalizeETag } from '../shared/events/blobCreated';
import { DEFAULT_ENGINE_OPTIONS, type StageContext } from '../shared/release/context';
import { validate } from '../shared/release/stages/validate';
import { trainingRowsBlobOf } from '../shared/data/trainingRows';
import type { Release } from '../shared/release/types';

const MiB = 1024 * 1024;

async function main(): Promise<void> {
  const at = process.argv.indexOf('--megabytes');
  const megabytes = at >= 0 ? Number(process.argv[at + 1]) : 250;
  const azurite = await startAzurite();
  try {
    const storage = createStorage({ connectionString: azurite.connectionString });
    const source = { container: 'training-data', name: 'default/big.csv' };
    console.log(`uploading ${megabytes} MiB of CSV (3 columns) to Azurite…`);
    const writer = storage.data.openWrite(source, { contentType: 'text/csv' });
    await writer.write('x,y,label\n');
    let bytes = 10;
    for (let i = 0; bytes < megabytes * MiB;) {
      let chunk = '';
      for (const end = i + 20_000; i < end; i++)
        chunk += `${(i * 7919) % 100003},${((i * 104729) % 1000) / 10},${i % 3 === 0 ? 'yes' : 'no'}\n`;
      bytes += chunk.length;
      await writer.write(chunk);
    }
    const info = await writer.close();

    const config = parseConfig(`version: 1
pipelines:
  default:
    data: { prefix: default/, maxMegabytes: 256 }
    training: { job: /specs/job.yaml }
    deployment: { spec: /specs/deployment.yaml }
`);
    const ctx = {
      config,
      data: storage.data,
      dataGate: new WorkerDataGate(),
      pipeline: config.pipelines.default!,
      settings: DEFAULT_ENGINE_OPTIONS,
    } as unknown as StageContext;
    const release = {
      id: 'bench',
      data: { container: source.container, blob: source.name, eTag: normalizeETag(info.eTag) },
    } as unknown as Release;

    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    const outcome = await validate(release, ctx);
    const seconds = (performance.now() - started) / 1000;
    delay.disable();
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);

    const hashes = await storage.data.getInfo({
      container: DEFAULT_ENGINE_OPTIONS.artifactsContainer,
      name: trainingRowsBlobOf(release.id),
    });
    const detail = outcome.kind === 'advance' ? outcome.detail : `${outcome.kind}: ${'reason' in outcome ? outcome.reason : ''}`;
    const ms = (ns: number) => `${(ns / 1e6).toFixed(0)} ms`;
    console.log(
      [
        `## 9. Data gate on a ${megabytes} MiB CSV (bench/dataGate.ts)`,
        '',
        `One ${(info.contentLength / MiB).toFixed(1)} MiB, 3-column CSV in Azurite (in memory), validated and split by the \`validate\` stage as the host runs it:`,
        "BlobDataStore streams (read twice, pinned to the eTag; train/holdout and the training rows' hashes written as block uploads) and the parsing on a WorkerDataGate thread.",
        'Each row is hashed in both passes: the split is by row content (docs/holdout.md).',
        'RSS is the whole process (the worker thread included), sampled every 50 ms; the baseline is taken after the upload and a GC.',
        '',
        '| figure | value |',
        '| --- | ---: |',
        `| outcome | ${detail} |`,
        `| **wall time** | **${seconds.toFixed(1)} s** (${(info.contentLength / MiB / seconds).toFixed(1)} MiB/s over two passes) |`,
        `| **peak RSS added** | **${((peak - baseline) / MiB).toFixed(0)} MiB** (baseline ${(baseline / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB) |`,
        `| event-loop delay, max / p99 | ${ms(delay.max)} / ${ms(delay.percentile(99))} |`,
        `| training-row hashes written (docs/holdout.md) | ${((hashes?.contentLength ?? 0) / MiB).toFixed(1)} MiB (8 bytes per training row) |`,
        '',
        'Before (issue 11): a 250 MiB CSV took the heap to 4.9 GB and crashed the host; 200 MB held the event loop for 47 s.',
      ].join('\n'),
    );
  } finally {
    await azurite.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
