import { encodedWidth, type FeatureSpec } from './featureSpec';
import { categoryOf } from './fitFeatures';
import { isMissing, parseNumber } from './parseNumber';

/** A cell that cannot be used with the learned spec (e.g. text in a numeric column). */
export class InvalidValueError extends Error {
  constructor(
    readonly row: number,
    readonly column: string,
    message: string,
  ) {
    super(`row ${row}, column '${column}': ${message}`);
    this.name = 'InvalidValueError';
  }
}

/**
 * Turns rows (cells in the order of `features`) into a row-major design matrix: numeric cells
 * are imputed with the training mean and standardized, categorical cells become one-hot
 * indicators, with unseen categories in `__other__`. Cells may be strings (CSV) or JSON values.
 */
export function encodeRows(features: readonly FeatureSpec[], rows: readonly (readonly unknown[])[]): Float64Array {
  const width = features.reduce((sum, f) => sum + encodedWidth(f), 0);
  const matrix = new Float64Array(rows.length * width);
  const lookups = features.map((f) => (f.type === 'categorical' ? new Map(f.categories.map((c, k) => [c, k])) : undefined));
  rows.forEach((row, i) => {
    let offset = i * width;
    features.forEach((feature, j) => {
      const cell = row[j];
      if (feature.type === 'numeric') {
        const value = isMissing(cell) ? feature.mean : toNumber(cell, i, feature.name);
        matrix[offset] = (value - feature.mean) / feature.std;
        offset += 1;
      } else {
        const index = lookups[j]!.get(categoryOf(cell)) ?? feature.categories.length;
        matrix[offset + index] = 1;
        offset += feature.categories.length + 1;
      }
    });
  });
  return matrix;
}

function toNumber(cell: unknown, row: number, column: string): number {
  if (typeof cell === 'number' && Number.isFinite(cell)) return cell;
  const value = typeof cell === 'string' ? parseNumber(cell) : undefined;
  if (value === undefined) {
    throw new InvalidValueError(row, column, `expected a number (or an empty/null cell), got ${JSON.stringify(cell)}`);
  }
  return value;
}
