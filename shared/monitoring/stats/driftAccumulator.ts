import type { BaselineProfile, FeatureProfile } from './baselineProfile';
import { FeatureAccumulator } from './featureAccumulator';
import type { Row } from './profileBaseline';
import { WindowProfile } from './windowProfile';

/**
 * Accumulates a monitoring window against a baseline in memory bounded by the baseline's
 * size (bins, categories, one KLL sketch per numeric feature), whatever the window's length.
 * Accumulators of the same baseline merge, so a window can be computed in parts.
 */
export class DriftAccumulator {
  private rows = 0;
  private readonly features: FeatureAccumulator[];
  private readonly prediction: FeatureAccumulator | undefined;
  private readonly arrayIndex: Map<string, number>;
  private readonly all: FeatureAccumulator[];

  constructor(
    readonly baseline: BaselineProfile,
    state?: WindowProfile,
  ) {
    const stateOf = (p: FeatureProfile, list: readonly WindowProfile['features'][number][] | undefined) =>
      list?.find((f) => f.name === p.name);
    this.features = baseline.features.map((p) => new FeatureAccumulator(p, stateOf(p, state?.features)));
    this.prediction = baseline.prediction ? new FeatureAccumulator(baseline.prediction, state?.prediction) : undefined;
    this.arrayIndex = new Map(baseline.columns.map((c, i) => [c, i]));
    this.rows = state?.rows ?? 0;
    this.all = this.prediction ? [...this.features, this.prediction] : this.features;
  }

  /** Rebuilds an accumulator from a stored window (validated). */
  static fromJSON(baseline: BaselineProfile, state: unknown): DriftAccumulator {
    return new DriftAccumulator(baseline, WindowProfile.parse(state));
  }

  get rowCount(): number {
    return this.rows;
  }

  /** One scored row: an object keyed by column (features and the prediction column) or an array in `baseline.columns` order. */
  add(row: Row): this {
    this.rows++;
    const all = this.all;
    if (Array.isArray(row)) {
      for (const f of all) f.add(row[this.arrayIndex.get(f.name)!], false);
    } else {
      const record = row as Readonly<Record<string, unknown>>;
      for (const f of all) f.add(record[f.name], !(f.name in record));
    }
    return this;
  }

  /** The columns `addCells` takes, in its order: the features, then the prediction's. */
  get cellColumns(): string[] {
    return [...this.features, ...(this.prediction ? [this.prediction] : [])].map((f) => f.name);
  }

  /**
   * One row as cells in `cellColumns` order (kind 0 absent, 1 finite number, 2 other value):
   * the same counts as `add` of the row object, with no object per row (scanInferenceLine.ts).
   */
  addCells(kinds: Uint8Array, numbers: Float64Array, others: readonly unknown[]): this {
    this.rows++;
    const all = this.all;
    for (let i = 0; i < all.length; i++) {
      const kind = kinds[i];
      if (kind === 1) all[i]!.addFinite(numbers[i]!);
      else all[i]!.add(kind === 0 ? undefined : others[i], kind === 0);
    }
    return this;
  }

  /** Adds another window of the same baseline into this one (the other is unchanged). */
  merge(other: DriftAccumulator): this {
    if (other.baseline !== this.baseline && JSON.stringify(other.baseline.columns) !== JSON.stringify(this.baseline.columns)) {
      throw new RangeError('cannot merge windows accumulated against different baselines');
    }
    this.rows += other.rows;
    this.features.forEach((f, i) => f.merge(other.features[i]!));
    if (this.prediction && other.prediction) this.prediction.merge(other.prediction);
    return this;
  }

  toJSON(): WindowProfile {
    return {
      schemaVersion: 1,
      rows: this.rows,
      features: this.features.map((f) => f.toJSON()),
      ...(this.prediction ? { prediction: this.prediction.toJSON() } : {}),
    };
  }
}

/** A fresh, empty window for `baseline`. */
export function createWindowProfile(baseline: BaselineProfile): DriftAccumulator {
  return new DriftAccumulator(baseline);
}

/** A new window holding both `a` and `b` (neither is changed). */
export function mergeWindows(a: DriftAccumulator, b: DriftAccumulator): DriftAccumulator {
  return new DriftAccumulator(a.baseline, a.toJSON()).merge(b);
}
