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
 * state and the category counter; the counter stops taking numbers once it has had to
 * approximate (so a high-cardinality numeric column costs bounded memory and little time).
 */
export class ColumnProfiler {
  private count = 0;
  private missing = 0;
  private numeric: boolean;
  private readonly moments = emptyMoments();
  private readonly sketch: KllSketch;
  private readonly categories: CategoryCounter;

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
    if (cell.kind === 'number' && this.numeric && !this.categories.exact) return;
    this.categories.add(toCategory(cell));
  }

  finish(): FeatureProfile {
    const common = { name: this.name, count: this.count, missing: this.missing, missingRate: this.count === 0 ? 0 : this.missing / this.count };
    if (this.numeric && this.sketch.n > 0) return this.finishNumeric(common);
    const nonMissing = this.count - this.missing;
    const categories = this.categories.top(this.settings.maxCategories).filter((c) => c.value !== OTHER_CATEGORY);
    const listed = categories.reduce((a, c) => a + c.count, 0);
    return { ...common, type: 'categorical', categories, otherCount: Math.max(0, nonMissing - listed), undercount: this.categories.undercount };
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
