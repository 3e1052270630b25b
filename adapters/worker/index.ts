/** @module Work taken off the thread that serves requests: the data gate's CSV passes. */
export { WorkerDataGate, type WorkerDataGateOptions } from './WorkerDataGate';
