import type { BlobScanJob } from './blobScanPool';
import { InferenceBlobScan, type BlobTally } from './inferenceBlobScan';
import { createWindowProfile, type DriftAccumulator } from './stats';

/**
 * One blob at a time into a window of its own, counting only the job's deployment: what a per-blob
 * summary holds. The worker threads of a run and the arrival handler both scan through this, so a
 * summary stored on arrival is the one a run would have stored.
 */
export class BlobWindowScan {
  private window: DriftAccumulator;
  private readonly scan: InferenceBlobScan;

  constructor(private readonly job: BlobScanJob) {
    this.window = createWindowProfile(job.baseline);
    this.scan = new InferenceBlobScan(
      this.window.cellColumns,
      job.predictionColumn,
      job.from,
      job.to,
      (cells) => {
        if (cells.deployment === job.deployment) this.window.addCells(cells.kinds, cells.numbers, cells.others);
      },
      job.maxSamples,
    );
  }

  begin(blob: string): void {
    this.window = createWindowProfile(this.job.baseline);
    this.scan.begin(blob);
  }

  feed(chunk: Uint8Array): void {
    this.scan.feed(chunk);
  }

  end(): { tally: BlobTally; window: DriftAccumulator } {
    return { tally: this.scan.end(), window: this.window };
  }
}
