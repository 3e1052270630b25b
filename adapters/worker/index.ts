/** @module Work taken off the thread that serves requests: the data gate's CSV passes, monitor runs' blob scans. */
export { WorkerDataGate, type WorkerDataGateOptions } from './WorkerDataGate';
export { WorkerBlobScanPool, blobScanPoolFrom, type WorkerBlobScanPoolOptions } from './WorkerBlobScanPool';
