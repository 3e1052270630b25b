import { CategoryCounter } from './categoryCounter';
import { KllSketch } from './kllSketch';
import { OTHER_CATEGORY, QUANTILE_LEVELS, type FeatureProfile } from './baselineProfile';
import { quantileEdges, sketchBinCounts } from './numericBins';
import { readCell, toCategory } from './readCell';
import { addToMoments, emptyMoments, standardDeviation } from './runningMoments';

export interface ColumnSettings {
  binCount: number;
  maxCategories: number;
  sketchK: number;
  rangeMargin: number;
  categoryCapacity: number;
  /** Forced type; otherwise inferred (numeric when every non-empty value is a finite number). */
  type?: 'numeric' | 'categorical';
  declaredRange?: { min: number; max: number };
}

/**
 * One baseline column in one pass. While the type is undecided, numbers feed both the numeric
 * state and a count per distinct number (kept as numbers: stringifying every cell would double
 * the cost of profiling numeric columns). That count stops at the category capacity, so a
 * high-cardinality numeric column costs bounded memory; should such a column still turn out
 * categorical, its counts are flagged approximate.
 */
export class ColumnProfiler {
  private count = 0;
  private missing = 0;
  private numeric: boolean;
  private readonly moments = emptyMoments();
  private readonly sketch: KllSketch;
  private readonly categories: CategoryCounter;
  private readonly numberCounts = new Map<number, number>();
  private numberCountsFull = false;

  constructor(
    readonly name: string,
    private readonly settings: ColumnSettings,
  ) {
    this.numeric = settings.type !== 'categorical';
    this.sketch = new KllSketch(settings.sketchK);
    this.categories = new CategoryCounter(settings.categoryCapacity);
  }

  add(value: unknown): void {
    this.count++;
    const cell = readCell(value);
    if (cell.kind === 'missing') {
      this.missing++;
      return;
    }
    if (this.numeric) {
      if (cell.kind === 'number') {
        addToMoments(this.moments, cell.value);
        this.sketch.add(cell.value);
      } else if (this.settings.type !== 'numeric') {
        this.numeric = false;
      }
    }
    if (this.settings.type === 'numeric') return;
    if (cell.kind === 'number' && this.numeric) {
      if (this.numberCountsFull) return;
      this.numberCounts.set(cell.value, (this.numberCounts.get(cell.value) ?? 0) + 1);
      if (this.numberCounts.size > this.settings.categoryCapacity) this.numberCountsFull = true;
      return;
    }
    this.categories.add(toCategory(cell));
  }

  finish(): FeatureProfile {
    const common = {
      name: this.name,
      count: this.count,
      missing: this.missing,
      missingRate: this.count === 0 ? 0 : this.missing / this.count,
    };
    if (this.numeric && this.sketch.n > 0) return this.finishNumeric(common);
    for (const [value, count] of this.numberCounts) this.categories.add(String(value), count);
    const nonMissing = this.count - this.missing;
    // Numbers stopped being counted once there were too many distinct ones: say so.
    const undercount = this.numberCountsFull ? Math.max(this.categories.undercount, nonMissing) : this.categories.undercount;
    const categories = this.categories.top(this.settings.maxCategories).filter((c) => c.value !== OTHER_CATEGORY);
    const listed = categories.reduce((a, c) => a + c.count, 0);
    return { ...common, type: 'categorical', categories, otherCount: Math.max(0, nonMissing - listed), undercount };
  }

  private finishNumeric(common: { name: string; count: number; missing: number; missingRate: number }): FeatureProfile {
    const s = this.sketch;
    const edges = quantileEdges(s, this.settings.binCount);
    const quantiles = Object.fromEntries(QUANTILE_LEVELS.map((q) => [`p${Math.round(q * 100)}`, s.quantile(q)]));
    const margin = this.settings.rangeMargin * (s.max - s.min);
    const declared = this.settings.declaredRange;
    return {
      ...common,
      type: 'numeric',
      min: s.min,
      max: s.max,
      mean: this.moments.mean,
      std: standardDeviation(this.moments),
      quantiles,
      binEdges: edges,
      binCounts: sketchBinCounts(s, edges),
      exact: s.isExact(),
      validRange: declared ? { ...declared, declared: true } : { min: s.min - margin, max: s.max + margin, declared: false },
      sketch: s.toJSON(),
    };
  }
}
