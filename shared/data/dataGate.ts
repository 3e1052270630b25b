import { CsvScanner, type CsvProfile, type ScanOptions } from './csvScan';
import { HoldoutSplitter, type SplitCounts, type SplitPiece, type SplitPlan } from './holdoutSplit';

/**
 * Runs the data gate's two passes over a blob's bytes. The work is CPU-bound (parsing,
 * counting, writing CSV): the host gives it a worker thread so requests keep being
 * served (adapters/worker); `inThreadDataGate` runs the same code here, for tests
 * and tools. Both await `emit` before taking the next chunk, so memory stays bounded.
 */
export interface DataGate {
  /** First pass: checks and counts. Throws DataValidationError. */
  scan(chunks: AsyncIterable<Uint8Array>, options: ScanOptions): Promise<CsvProfile>;
  /** Second pass: hands the train and holdout CSV text, and the training rows' hashes, to `emit` as they are produced. */
  split(chunks: AsyncIterable<Uint8Array>, plan: SplitPlan, emit: (piece: SplitPiece) => Promise<void>): Promise<SplitCounts>;
}

/** What a worker hosts: one pass, chunk by chunk. Plain data in and out. */
export type GateJob = { kind: 'scan'; options: ScanOptions } | { kind: 'split'; plan: SplitPlan };
export type GateResult = { kind: 'scan'; profile: CsvProfile } | { kind: 'split'; counts: SplitCounts };

export interface GateSession {
  push(chunk: Uint8Array): SplitPiece | undefined;
  end(): { piece?: SplitPiece; result: GateResult };
}

export function openGateSession(job: GateJob): GateSession {
  if (job.kind === 'scan') {
    const scanner = new CsvScanner(job.options);
    return {
      push: (chunk) => (scanner.push(chunk), undefined),
      end: () => ({ result: { kind: 'scan', profile: scanner.end() } }),
    };
  }
  const splitter = new HoldoutSplitter(job.plan);
  return {
    push: (chunk) => splitter.push(chunk),
    end: () => {
      const { piece, counts } = splitter.end();
      return { piece, result: { kind: 'split', counts } };
    },
  };
}

/** Drives a session over the chunks; a separate loop of the same shape runs in the worker. */
async function run(job: GateJob, chunks: AsyncIterable<Uint8Array>, emit: (piece: SplitPiece) => Promise<void>): Promise<GateResult> {
  const session = openGateSession(job);
  for await (const chunk of chunks) {
    const piece = session.push(chunk);
    if (piece && (piece.train || piece.holdout)) await emit(piece);
  }
  const { piece, result } = session.end();
  if (piece && (piece.train || piece.holdout)) await emit(piece);
  return result;
}

export const inThreadDataGate: DataGate = {
  async scan(chunks, options) {
    const result = await run({ kind: 'scan', options }, chunks, async () => {});
    return (result as Extract<GateResult, { kind: 'scan' }>).profile;
  },
  async split(chunks, plan, emit) {
    const result = await run({ kind: 'split', plan }, chunks, emit);
    return (result as Extract<GateResult, { kind: 'split' }>).counts;
  },
};
