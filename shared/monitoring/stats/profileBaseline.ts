import { BaselineProfile } from './baselineProfile';
import { DEFAULT_CATEGORY_CAPACITY } from './categoryCounter';
import { ColumnProfiler, type ColumnSettings } from './columnProfiler';
import { DEFAULT_SKETCH_K } from './kllSketch';

/** A row as an array in `columns` order, or an object keyed by column name. */
export type Row = readonly unknown[] | Readonly<Record<string, unknown>>;

export interface ProfileBaselineOptions {
  /** Column holding the model's prediction; profiled as categorical into `profile.prediction`. @default none */
  prediction?: string;
  /** Columns to leave out (ids, labels, excluded for privacy). @default [] */
  exclude?: readonly string[];
  /** Forced types per column; the rest are inferred like the example trainer. @default {} */
  types?: Readonly<Record<string, 'numeric' | 'categorical'>>;
  /** Declared valid ranges per numeric column (override the observed range for out-of-range checks). @default {} */
  ranges?: Readonly<Record<string, { min: number; max: number }>>;
  /** Quantile bins between the baseline's min and max. @default 20 */
  binCount?: number;
  /** Categories kept per feature; the rest pool into `__other__`. @default 100 */
  maxCategories?: number;
  /** KLL sketch size parameter (rank error ~2/k, ≤ ~3k numbers). @default 2000 */
  sketchK?: number;
  /** Observed [min, max] is widened by this fraction of (max − min) each side before values count as out of range. @default 0.1 */
  rangeMargin?: number;
  /** Distinct values counted exactly per column before Misra–Gries approximation. @default 10000 */
  categoryCapacity?: number;
}

/**
 * Profiles training data in one streaming pass (memory independent of the row count) into
 * the JSON baseline stored with a model version. Accepts arrays, iterables and async iterables.
 */
export async function profileBaseline(
  columns: readonly string[],
  rows: Iterable<Row> | AsyncIterable<Row>,
  options: ProfileBaselineOptions = {},
): Promise<BaselineProfile> {
  const profiler = new BaselineProfiler(columns, options);
  // A sync iterable is walked without awaiting each row (an await per row costs ~10x).
  if (Symbol.iterator in rows) for (const row of rows) profiler.add(row);
  else for await (const row of rows) profiler.add(row);
  return profiler.finish();
}

/**
 * The same profile, pushed a row at a time: for sources that call back per record (a CSV
 * blob streamed by `eachCsvRecord`) rather than offer an iterable.
 */
export class BaselineProfiler {
  private count = 0;
  private readonly used: { name: string; index: number }[];
  private readonly profilers: ColumnProfiler[];
  private readonly settings: ColumnSettingsBase;

  constructor(
    private readonly columns: readonly string[],
    private readonly options: ProfileBaselineOptions = {},
  ) {
    this.settings = {
      binCount: options.binCount ?? 20,
      maxCategories: options.maxCategories ?? 100,
      sketchK: options.sketchK ?? DEFAULT_SKETCH_K,
      rangeMargin: options.rangeMargin ?? 0.1,
      categoryCapacity: options.categoryCapacity ?? DEFAULT_CATEGORY_CAPACITY,
    };
    const excluded = new Set(options.exclude ?? []);
    this.used = columns.map((name, index) => ({ name, index })).filter((c) => !excluded.has(c.name));
    this.profilers = this.used.map(({ name }) => {
      const type = name === options.prediction ? (options.types?.[name] ?? 'categorical') : options.types?.[name];
      return new ColumnProfiler(name, { ...this.settings, type, declaredRange: options.ranges?.[name] });
    });
  }

  add(row: Row): void {
    this.count++;
    const { used, profilers } = this;
    if (Array.isArray(row)) {
      for (let c = 0; c < used.length; c++) profilers[c]!.add(row[used[c]!.index]);
    } else {
      const record = row as Readonly<Record<string, unknown>>;
      for (let c = 0; c < used.length; c++) profilers[c]!.add(record[used[c]!.name]);
    }
  }

  finish(): BaselineProfile {
    const { options, settings } = this;
    const profiles = this.profilers.map((p) => p.finish());
    const features = profiles.filter((p) => p.name !== options.prediction);
    const prediction = profiles.find((p) => p.name === options.prediction);
    return BaselineProfile.parse({
      schemaVersion: 1,
      columns: [...this.columns],
      rows: this.count,
      features,
      ...(prediction ? { prediction } : {}),
      settings: {
        binCount: settings.binCount,
        maxCategories: settings.maxCategories,
        sketchK: settings.sketchK,
        rangeMargin: settings.rangeMargin,
      },
    });
  }
}

type ColumnSettingsBase = Omit<ColumnSettings, 'type' | 'declaredRange'>;
