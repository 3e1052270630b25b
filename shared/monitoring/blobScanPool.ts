import type { BlobTally } from './inferenceBlobScan';
import type { BaselineProfile, WindowProfile } from './stats';

/** What every blob of one window is scanned against. */
export interface BlobScanJob {
  baseline: BaselineProfile;
  predictionColumn: string;
  /** Only this deployment's records are accumulated. */
  deployment: string;
  /** The window, [from, to) in ms. */
  from: number;
  to: number;
  maxSamples: number;
}

/**
 * Scans blobs into windows of their own off the thread that serves requests, several at once
 * (adapters/worker/WorkerBlobScanPool.ts: worker threads). The caller reads the blobs and merges
 * the windows, in blob order, so the result is the one a single thread gives.
 */
export interface BlobScanPool {
  /** Blobs scanned at once (lanes). */
  readonly parallelism: number;
  open(job: BlobScanJob): BlobScanSession;
}

export interface BlobScanSession {
  /** One blob on lane `lane` (< parallelism); one blob at a time per lane. */
  scan(lane: number, blob: string, chunks: AsyncIterable<Uint8Array>): Promise<{ tally: BlobTally; window: WindowProfile }>;
  /** Ends the lanes' threads. */
  close(): Promise<void>;
}
