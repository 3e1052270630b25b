import type { GateResult } from '../../shared/data/dataGate';
import type { SplitPiece } from '../../shared/data/holdoutSplit';

/** Parent → worker. The job itself travels as `workerData`. */
export type WorkerRequest = { kind: 'chunk'; chunk: Uint8Array } | { kind: 'end' };

/** An error as plain data; DataValidationError keeps its blob so the parent can rebuild it. */
export interface WireError {
  name: string;
  message: string;
  blob?: string;
}

/** Worker → parent: one reply per request. */
export type WorkerReply =
  { kind: 'piece'; piece: SplitPiece } | { kind: 'done'; piece: SplitPiece; result: GateResult } | { kind: 'error'; error: WireError };
