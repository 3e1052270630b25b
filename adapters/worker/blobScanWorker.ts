/**
 * The worker-thread side of WorkerBlobScanPool: scans one blob at a time, chunk by chunk, into a
 * window of its own (shared/monitoring/inferenceBlobScan.ts) and hands it back as JSON at its end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BlobScanJob } from '../../shared/monitoring/blobScanPool';
import { InferenceBlobScan } from '../../shared/monitoring/inferenceBlobScan';
import { createWindowProfile } from '../../shared/monitoring/stats';
import type { ScanReply, ScanRequest } from './blobScanProtocol';

const port = parentPort!;
const job = workerData as BlobScanJob;
let window = createWindowProfile(job.baseline);
const scan = new InferenceBlobScan(
  window.cellColumns,
  job.predictionColumn,
  job.from,
  job.to,
  (cells) => {
    if (cells.deployment === job.deployment) window.addCells(cells.kinds, cells.numbers, cells.others);
  },
  job.maxSamples,
);
const reply = (message: ScanReply) => port.postMessage(message);

port.on('message', (request: ScanRequest) => {
  try {
    if (request.kind === 'begin') {
      window = createWindowProfile(job.baseline);
      scan.begin(request.blob);
      reply({ kind: 'ack' });
    } else if (request.kind === 'chunk') {
      scan.feed(request.chunk);
      reply({ kind: 'ack' });
    } else {
      const tally = scan.end();
      reply({ kind: 'done', tally, window: window.toJSON() });
    }
  } catch (error) {
    reply({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
