import type { BlobTally } from '../../shared/monitoring/inferenceBlobScan';
import type { WindowProfile } from '../../shared/monitoring/stats';

/** Parent → blob scan worker; the job travels as `workerData`. One blob at a time: begin, chunks, end. */
export type ScanRequest = { kind: 'begin'; blob: string } | { kind: 'chunk'; chunk: Uint8Array } | { kind: 'end' };

/** Worker → parent: one reply per request. */
export type ScanReply = { kind: 'ack' } | { kind: 'done'; tally: BlobTally; window: WindowProfile } | { kind: 'error'; message: string };
