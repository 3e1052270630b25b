import { MISSING_CATEGORY, OTHER_CATEGORY, type FeatureSpec } from './featureSpec';
import { isMissing, parseNumber } from './parseNumber';

export interface FitFeaturesOptions {
  /** Categories kept per column (most frequent first); the rest share `__other__`. @default 50 */
  maxCategories?: number;
}

/**
 * Learns the preprocessing from training cells only (so scoring applies exactly what training
 * saw): a column is numeric when every non-empty cell is a finite decimal, otherwise categorical.
 * `rows[i][j]` is the cell of column `columns[j]`.
 */
export function fitFeatures(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  options: FitFeaturesOptions = {},
): FeatureSpec[] {
  const maxCategories = options.maxCategories ?? 50;
  return columns.map((name, j) => {
    const cells = rows.map((row) => row[j] ?? '');
    const numbers: number[] = [];
    let numeric = true;
    for (const cell of cells) {
      if (isMissing(cell)) continue;
      const value = parseNumber(cell);
      if (value === undefined) {
        numeric = false;
        break;
      }
      numbers.push(value);
    }
    return numeric ? fitNumeric(name, numbers) : fitCategorical(name, cells, maxCategories);
  });
}

function fitNumeric(name: string, values: readonly number[]): FeatureSpec {
  // An all-empty column gets mean 0: every row imputes the same value, so it carries no signal.
  const mean = values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length === 0 ? 0 : values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  const std = Math.sqrt(variance);
  // A constant column would divide by zero; 1 leaves it centred at 0.
  return { name, type: 'numeric', mean, std: std > 1e-12 ? std : 1 };
}

function fitCategorical(name: string, cells: readonly string[], maxCategories: number): FeatureSpec {
  const counts = new Map<string, number>();
  for (const cell of cells) {
    const category = categoryOf(cell);
    counts.set(category, (counts.get(category) ?? 0) + 1);
  }
  counts.delete(OTHER_CATEGORY);
  // Ties are broken by name so the kept set, and hence the model bytes, never depend on row order.
  const kept = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, maxCategories)
    .map(([category]) => category)
    .sort();
  return { name, type: 'categorical', categories: kept };
}

/** The category a raw value stands for (before the unseen-category fallback). */
export function categoryOf(value: unknown): string {
  return isMissing(value) ? MISSING_CATEGORY : String(value).trim();
}
