import type { FeatureProfile, NumericProfile } from './baselineProfile';
import { CategoryCounter } from './categoryCounter';
import { KllSketch } from './kllSketch';
import * as numericBins from './numericBins';
import { readCell, toCategory } from './readCell';
import * as runningMoments from './runningMoments';
import { emptyMoments, mergeMoments, type Moments } from './runningMoments';
import type { FeatureWindow } from './windowProfile';

// Module-local copies of the per-value helpers: compiled to CommonJS with export getters (tsx,
// esbuild), each call of an imported function would first run its getter (profiled on 1M rows).
const { binOf } = numericBins;
const { addToMoments } = runningMoments;

/** Unseen category names remembered per window feature (counts are exact until then). */
const UNSEEN_CAPACITY = 50;
const TYPE_ERROR_EXAMPLES = 5;

/** One feature's window state; see windowProfile.ts for what each count means. */
export class FeatureAccumulator {
  readonly name: string;
  private count = 0;
  private missing = 0;
  private absent = 0;
  private typeErrors = 0;
  private typeErrorExamples: string[] = [];
  private outOfRange = 0;
  private bins: number[] = [];
  private moments: Moments = emptyMoments();
  private sketch: KllSketch | undefined;
  private counts: number[] = [];
  private categoryIndex = new Map<string, number>();
  private unseen = new CategoryCounter(UNSEEN_CAPACITY);

  constructor(
    private readonly profile: FeatureProfile,
    state?: FeatureWindow,
  ) {
    this.name = profile.name;
    if (state && state.type !== profile.type)
      throw new RangeError(`window feature ${profile.name} is ${state.type} but the baseline's is ${profile.type}`);
    if (profile.type === 'numeric') {
      this.bins = state?.type === 'numeric' ? [...state.binCounts] : new Array<number>(profile.binCounts.length).fill(0);
      this.sketch = state?.type === 'numeric' ? KllSketch.fromJSON(state.sketch) : new KllSketch(profile.sketch.k);
      if (state?.type === 'numeric') {
        this.moments = { ...state.moments };
        this.typeErrors = state.typeErrors;
        this.typeErrorExamples = [...state.typeErrorExamples];
        this.outOfRange = state.outOfRange;
      }
    } else {
      profile.categories.forEach((c, i) => this.categoryIndex.set(c.value, i));
      this.counts = state?.type === 'categorical' ? [...state.counts] : new Array<number>(profile.categories.length + 1).fill(0);
      if (state?.type === 'categorical') this.unseen = CategoryCounter.fromJSON(state.unseen);
    }
    if (state) {
      this.count = state.count;
      this.missing = state.missing;
      this.absent = state.absent;
    }
  }

  add(value: unknown, absent: boolean): void {
    this.count++;
    if (absent) this.absent++;
    const p = this.profile;
    // Fast path for the common case (JSON numbers): no Cell object per value.
    if (p.type === 'numeric' && typeof value === 'number' && Number.isFinite(value)) return this.addNumber(p, value);
    // A string that is one of the baseline's categories counts as itself: categories are
    // toCategory's outputs, and toCategory(readCell(c)) === c for each of them (no regex per cell).
    if (typeof value === 'string' && p.type === 'categorical') {
      const known = this.categoryIndex.get(value);
      if (known !== undefined) {
        this.counts[known]!++;
        return;
      }
    }
    const cell = readCell(value);
    if (cell.kind === 'missing') {
      this.missing++;
      return;
    }
    if (p.type === 'numeric') {
      if (cell.kind !== 'number') {
        this.typeErrors++;
        if (this.typeErrorExamples.length < TYPE_ERROR_EXAMPLES && !this.typeErrorExamples.includes(cell.text))
          this.typeErrorExamples.push(cell.text.slice(0, 80));
        return;
      }
      return this.addNumber(p, cell.value);
    }
    const category = toCategory(cell);
    const index = this.categoryIndex.get(category);
    if (index !== undefined) this.counts[index]!++;
    else {
      this.counts[this.counts.length - 1]!++;
      this.unseen.add(category.slice(0, 80));
    }
  }

  /** A present, finite number (the scanner's cells): what `add(x, false)` does, without the checks. */
  addFinite(x: number): void {
    const p = this.profile;
    if (p.type !== 'numeric') return this.add(x, false);
    this.count++;
    this.addNumber(p, x);
  }

  private addNumber(p: NumericProfile, x: number): void {
    if (x < p.validRange.min || x > p.validRange.max) this.outOfRange++;
    this.bins[binOf(p.binEdges, x)]!++;
    addToMoments(this.moments, x);
    this.sketch!.add(x);
  }

  merge(other: FeatureAccumulator): void {
    this.count += other.count;
    this.missing += other.missing;
    this.absent += other.absent;
    this.typeErrors += other.typeErrors;
    for (const e of other.typeErrorExamples)
      if (this.typeErrorExamples.length < TYPE_ERROR_EXAMPLES && !this.typeErrorExamples.includes(e)) this.typeErrorExamples.push(e);
    this.outOfRange += other.outOfRange;
    this.bins = this.bins.map((b, i) => b + other.bins[i]!);
    this.counts = this.counts.map((c, i) => c + other.counts[i]!);
    this.moments = mergeMoments(this.moments, other.moments);
    if (this.sketch && other.sketch) this.sketch.merge(other.sketch);
    this.unseen.merge(other.unseen);
  }

  toJSON(): FeatureWindow {
    const common = { name: this.name, count: this.count, missing: this.missing, absent: this.absent };
    if (this.profile.type === 'numeric') {
      return {
        ...common,
        type: 'numeric',
        typeErrors: this.typeErrors,
        typeErrorExamples: [...this.typeErrorExamples],
        outOfRange: this.outOfRange,
        binCounts: [...this.bins],
        moments: { ...this.moments },
        sketch: this.sketch!.toJSON(),
      };
    }
    return { ...common, type: 'categorical', counts: [...this.counts], unseen: this.unseen.toJSON() };
  }
}
