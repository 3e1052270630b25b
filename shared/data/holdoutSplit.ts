import { DataValidationError } from '../errors';
import { cellKind, isNonFinite } from './columnStats';
import type { CsvProfile } from './csvScan';
import { CsvRecords } from './csvRecords';
import { featureOrder, hashKey, rowHash, splitPoint } from './rowHash';
import { toCsvLine } from './split';

/** Everything the second pass needs; plain data, so it can cross to a worker thread. */
export interface SplitPlan {
  blob: string;
  columns: string[];
  labelIndex: number;
  /** [class, rows in the file]. */
  classes: [string, number][];
  /** Rows whose split point (shared/data/rowHash.ts) is below this are held out. */
  fraction: number;
  seed: number;
  /** Row hashes held out / kept for training whatever their point: each class's one row on a side it would lack. */
  forceHoldout: string[];
  forceTrain: string[];
  /** Columns whose NaN/±Infinity cells are written empty (data.nonFinite: missing). */
  blankNonFinite: number[];
  /** Under regression every row is of this one stratum (ALL_ROWS) instead of its label's class. */
  stratum?: string;
}

/** Output of one chunk; any part may be empty. */
export interface SplitPiece {
  train: string;
  holdout: string;
  /** The hashes of this piece's training rows, 8 bytes each, in file order (shared/data/trainingRows.ts). */
  trainHashes: Uint8Array;
}

export interface SplitCounts {
  trainRows: number;
  holdoutRows: number;
}

/**
 * Plans a split by content: a row is held out when its split point is below `fraction`, so
 * the same row (by its features, shared/data/rowHash.ts) falls on the same side in every
 * file and every release with this seed and fraction. A class with no row below the
 * fraction gives the holdout its lowest row, one with every row below keeps its highest for
 * training: each class has a row on each side, as the first pass's edges tell before the second.
 */
export function planSplit(profile: CsvProfile, blob: string, fraction: number): SplitPlan {
  const blank = new Set(profile.nonFinite.map((c) => c.column));
  const label = profile.columns[profile.labelIndex];
  const rows = new Map(profile.classCounts);
  const forceHoldout: string[] = [];
  const forceTrain: string[] = [];
  for (const [name, edge] of profile.classEdges) {
    if (edge.lowest === edge.highest && profile.target) {
      throw new DataValidationError(
        blob,
        `all ${profile.rows} rows have the same features; the holdout needs rows training did not see: add rows with other feature values`,
      );
    }
    if (edge.lowest === edge.highest) {
      throw new DataValidationError(
        blob,
        `the ${rows.get(name)} rows of class '${name}' of '${label}' are one row repeated (the same features); ` +
          'the holdout needs one row of each class and training a different one: add distinct rows of this class, or remove it',
      );
    }
    if (edge.lowestPoint >= fraction) forceHoldout.push(edge.lowest);
    if (edge.highestPoint < fraction) forceTrain.push(edge.highest);
  }
  return {
    blob,
    columns: profile.columns,
    labelIndex: profile.labelIndex,
    classes: profile.classCounts,
    fraction,
    seed: profile.seed,
    forceHoldout,
    forceTrain,
    blankNonFinite: profile.columns.flatMap((c, i) => (blank.has(c) ? [i] : [])),
    ...(profile.target ? { stratum: profile.classCounts[0]![0] } : {}),
  };
}

/**
 * The second pass: decides train or holdout row by row, in file order, and writes both
 * CSVs and the training rows' hashes as it goes; memory holds counters per class. Two
 * passes, because a row's point alone cannot promise every class a held-out row and a
 * training row: the first pass finds, per class, the row to move when one side would be
 * empty (planSplit), and this one checks that it was enough.
 */
export class HoldoutSplitter {
  private readonly records: CsvRecords;
  private readonly left = new Map<string, { rows: number; holdout: number; train: number }>();
  private readonly features: number[];
  private readonly forceHoldout: Set<string>;
  private readonly forceTrain: Set<string>;
  private header = true;
  private readonly counts: SplitCounts = { trainRows: 0, holdoutRows: 0 };

  constructor(private readonly plan: SplitPlan) {
    this.records = new CsvRecords(plan.blob);
    for (const [label, rows] of plan.classes) this.left.set(label, { rows, holdout: 0, train: 0 });
    this.features = featureOrder(plan.columns, plan.labelIndex);
    this.forceHoldout = new Set(plan.forceHoldout);
    this.forceTrain = new Set(plan.forceTrain);
  }

  push(chunk: Uint8Array): SplitPiece {
    return this.take(this.records.push(chunk));
  }

  end(): { piece: SplitPiece; counts: SplitCounts } {
    const piece = this.take(this.records.end());
    for (const [label, left] of this.left) {
      if (left.rows !== 0) throw this.changed();
      if (left.holdout === 0 || left.train === 0) throw this.sharedAcrossClasses(label, left.holdout === 0 ? 'held-out' : 'training');
    }
    return { piece, counts: { ...this.counts } };
  }

  private take(records: string[][]): SplitPiece {
    let train = '';
    let holdout = '';
    // Its own memory (not allocUnsafe's shared pool): a worker posts it, and a view posts its whole buffer.
    const hashes = Buffer.alloc(records.length * 8);
    let hashBytes = 0;
    const forced = this.forceHoldout.size + this.forceTrain.size > 0;
    for (const record of records) {
      if (this.header) {
        this.header = false;
        train = holdout = toCsvLine(record);
        continue;
      }
      const left = this.left.get(this.plan.stratum ?? record[this.plan.labelIndex]!);
      if (!left || left.rows === 0) throw this.changed();
      left.rows--;
      for (const i of this.plan.blankNonFinite) if (isNonFinite(cellKind(record[i]!))) record[i] = '';
      const hash = rowHash(record, this.features);
      let out = splitPoint(hash, this.plan.seed) < this.plan.fraction;
      if (forced) {
        const key = hashKey(hash);
        if (this.forceHoldout.has(key)) out = true;
        else if (this.forceTrain.has(key)) out = false;
      }
      if (out) {
        left.holdout++;
        this.counts.holdoutRows++;
        holdout += toCsvLine(record);
      } else {
        left.train++;
        this.counts.trainRows++;
        train += toCsvLine(record);
        hashes.writeUInt32BE(hash.hi, hashBytes);
        hashes.writeUInt32BE(hash.lo, hashBytes + 4);
        hashBytes += 8;
      }
    }
    return { train, holdout, trainHashes: hashes.subarray(0, hashBytes) };
  }

  private changed(): DataValidationError {
    return new DataValidationError(this.plan.blob, 'the file changed while it was read; upload it again');
  }

  /** The row moved to give this class a side went to the other side in another class (same features, other label). */
  private sharedAcrossClasses(label: string, side: string): DataValidationError {
    const column = this.plan.columns[this.plan.labelIndex];
    return new DataValidationError(
      this.plan.blob,
      `class '${label}' of '${column}' was left without a ${side} row: its rows have the same features as rows of other classes, ` +
        'and rows with the same features stay on one side of the split; add distinct rows of this class, or change evaluation.seed',
    );
  }
}
