/**
 * The worker-thread side of WorkerBlobScanPool: scans one blob at a time, chunk by chunk, into a
 * window of its own (shared/monitoring/blobWindowScan.ts) and hands it back as JSON at its end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BlobScanJob } from '../../shared/monitoring/blobScanPool';
import { BlobWindowScan } from '../../shared/monitoring/blobWindowScan';
import type { ScanReply, ScanRequest } from './blobScanProtocol';

const port = parentPort!;
const scan = new BlobWindowScan(workerData as BlobScanJob);
const reply = (message: ScanReply) => port.postMessage(message);

port.on('message', (request: ScanRequest) => {
  try {
    if (request.kind === 'begin') {
      scan.begin(request.blob);
      reply({ kind: 'ack' });
    } else if (request.kind === 'chunk') {
      scan.feed(request.chunk);
      reply({ kind: 'ack' });
    } else {
      const { tally, window } = scan.end();
      reply({ kind: 'done', tally, window: window.toJSON() });
    }
  } catch (error) {
    reply({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
