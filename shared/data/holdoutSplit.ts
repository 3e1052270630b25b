import { DataValidationError } from '../errors';
import { cellKind, isNonFinite } from './columnStats';
import type { CsvProfile } from './csvScan';
import { CsvRecords } from './csvRecords';
import { mulberry32, toCsvLine } from './split';

/** Everything the second pass needs; plain data, so it can cross to a worker thread. */
export interface SplitPlan {
  blob: string;
  columns: string[];
  labelIndex: number;
  /** [class, rows in the file, rows to hold out]. */
  classes: [string, number, number][];
  /** Columns whose NaN/±Infinity cells are written empty (data.nonFinite: missing). */
  blankNonFinite: number[];
  seed: number;
}

/** Output of one chunk; either may be ''. */
export interface SplitPiece {
  train: string;
  holdout: string;
}

export interface SplitCounts {
  trainRows: number;
  holdoutRows: number;
}

/**
 * Holdout size per class as before streaming: round(n × fraction), but at least one row
 * on each side when the class has two or more rows.
 */
export function planSplit(profile: CsvProfile, blob: string, fraction: number, seed: number): SplitPlan {
  const blank = new Set(profile.nonFinite.map((c) => c.column));
  return {
    blob,
    columns: profile.columns,
    labelIndex: profile.labelIndex,
    classes: profile.classCounts.map(([label, n]) => [label, n, Math.min(n - 1, Math.max(1, Math.round(n * fraction)))]),
    blankNonFinite: profile.columns.flatMap((c, i) => (blank.has(c) ? [i] : [])),
    seed,
  };
}

/**
 * The second pass: decides train or holdout row by row, in file order, and writes both
 * CSVs as it goes. Two passes rather than hashing rows, because a hash can only give
 * each row a probability: small classes could end with no holdout row (or no training
 * row). Knowing each class's size from the first pass, selection sampling (Knuth's
 * algorithm S: hold a row out with probability still-needed / still-to-come) picks
 * exactly the planned number per class, uniformly, with one seeded draw per row, so the
 * same data and seed always give the same split and memory holds only the counters.
 */
export class HoldoutSplitter {
  private readonly records: CsvRecords;
  private readonly rng: () => number;
  private readonly left = new Map<string, { rows: number; holdout: number }>();
  private readonly blank: number[];
  private header = true;
  private readonly counts: SplitCounts = { trainRows: 0, holdoutRows: 0 };

  constructor(private readonly plan: SplitPlan) {
    this.records = new CsvRecords(plan.blob);
    this.rng = mulberry32(plan.seed);
    for (const [label, rows, holdout] of plan.classes) this.left.set(label, { rows, holdout });
    this.blank = plan.blankNonFinite;
  }

  push(chunk: Uint8Array): SplitPiece {
    return this.take(this.records.push(chunk));
  }

  end(): { piece: SplitPiece; counts: SplitCounts } {
    const piece = this.take(this.records.end());
    if ([...this.left.values()].some((l) => l.rows !== 0)) throw this.changed();
    return { piece, counts: { ...this.counts } };
  }

  private take(records: string[][]): SplitPiece {
    let train = '';
    let holdout = '';
    for (const record of records) {
      if (this.header) {
        this.header = false;
        train = holdout = toCsvLine(record);
        continue;
      }
      const left = this.left.get(record[this.plan.labelIndex]!);
      if (!left || left.rows === 0) throw this.changed();
      for (const i of this.blank) if (isNonFinite(cellKind(record[i]!))) record[i] = '';
      const out = this.rng() * left.rows < left.holdout;
      left.rows--;
      if (out) {
        left.holdout--;
        this.counts.holdoutRows++;
        holdout += toCsvLine(record);
      } else {
        this.counts.trainRows++;
        train += toCsvLine(record);
      }
    }
    return { train, holdout };
  }

  private changed(): DataValidationError {
    return new DataValidationError(this.plan.blob, 'the file changed while it was read; upload it again');
  }
}
