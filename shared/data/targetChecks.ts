import { DataValidationError } from '../errors';

/** Every row of a regression pipeline belongs to this one stratum of the holdout split. */
export const ALL_ROWS = '(all rows)';

/** Plain decimals only: Number() would also take "0x1A", "Infinity" and " " (as 0), which no regressor should learn from. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

const SHOWN = 5;

/** A target cell as a number: plain decimals (surrounding spaces allowed), NaN for anything else. */
export function targetValue(cell: string): number {
  const text = cell.trim();
  return DECIMAL.test(text) ? Number(text) : Number.NaN;
}

/**
 * The data gate's view of a regression target, a row at a time: its range, and the rows whose
 * target is not a finite number (the first few named with their value, the rest counted).
 */
export class TargetStats {
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private bad = 0;
  private good = 0;
  private readonly examples: string[] = [];

  add(cell: string, dataRow: number): void {
    const value = targetValue(cell);
    if (Number.isFinite(value)) {
      this.good++;
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
      return;
    }
    if (this.bad++ < SHOWN)
      this.examples.push(`data row ${dataRow} (${JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}…` : cell)})`);
  }

  /** Throws DataValidationError naming the rows whose target is not a number, or when the target never varies. */
  check(blob: string, labelColumn: string): void {
    if (this.bad === 0 && this.good > 0 && this.min === this.max) {
      // A classifier is refused a single class; a regressor has nothing to learn either, and
      // r2 is undefined on its holdout (scikit-learn's force_finite makes it 0 or 1).
      throw new DataValidationError(
        blob,
        `'${labelColumn}' is ${this.min} in every one of the ${this.good} rows; a regressor needs a target that varies: ` +
          'add rows with other values, or set data.labelColumn to the column to predict',
      );
    }
    if (this.bad === 0) return;
    throw new DataValidationError(
      blob,
      `${this.bad === 1 ? '1 row has' : `${this.bad} rows have`} a target '${labelColumn}' that is not a finite number: ` +
        `${this.examples.join(', ')}${this.bad > SHOWN ? ` and ${this.bad - SHOWN} more` : ''}; ` +
        'a regression pipeline needs a number in every row: fix or remove these rows, or set task: classification if the column holds classes',
    );
  }
}
