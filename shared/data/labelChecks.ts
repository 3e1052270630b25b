import { DataValidationError } from '../errors';

/** More distinct labels than this and the file is refused while it is read (memory stays bounded). */
export const MAX_CLASSES = 10_000;
/** A class needs one row in the holdout and one for training. */
export const MIN_ROWS_PER_CLASS = 2;
/** Past this many classes, a label column whose values are mostly distinct is refused... */
const MANY_CLASSES = 20;
/** ...when distinct labels exceed this share of the rows: an id or a continuous value, not a class. */
const MAX_DISTINCT_SHARE = 0.5;

/** Numeric labels with more distinct values than this share of the rows look like a measured quantity. */
const MAX_NUMERIC_CLASS_SHARE = 0.1;
/** ...judged on the numeric labels while the rows of other labels (NA, ?) are at most this share. */
const MAX_NON_NUMERIC_SHARE = 0.05;

const listed = (entries: [string, number][], limit = 10) =>
  entries
    .slice(0, limit)
    .map(([label, n]) => `'${label}' (${n})`)
    .join(', ') + (entries.length > limit ? ` and ${entries.length - limit} more` : '');

/**
 * Refuses label columns a classifier cannot learn from, before training wastes a job on
 * them and evaluation meets a holdout with classes it never saw (accuracy NaN, issue 11).
 */
export function checkLabels(blob: string, labelColumn: string, rows: number, classCounts: [string, number][]): void {
  const classes = classCounts.length;
  if (classes < 2) {
    throw new DataValidationError(blob, `'${labelColumn}' has a single class (${classCounts[0]?.[0]}); a classifier needs two or more`);
  }
  if (classes !== rows) {
    const continuous = continuousLabels(classCounts, rows);
    if (continuous) {
      throw new DataValidationError(
        blob,
        `'${labelColumn}' holds numbers with ${continuous.values} distinct values in ${rows} rows (${continuous.detail})${continuous.others}: that is a continuous target, not classes; ` +
          'set `task: regression` on this pipeline in autopilot.yaml to train a regressor (docs/configuration.md), or set data.labelColumn to the column of class labels',
      );
    }
  }
  if (classes === rows || (classes > MANY_CLASSES && classes / rows > MAX_DISTINCT_SHARE)) {
    throw new DataValidationError(
      blob,
      `'${labelColumn}' has ${classes} distinct values in ${rows} rows${classes === rows ? ' (every row its own class)' : ''}; ` +
        'a classifier needs several rows per class: set data.labelColumn to the column of class labels (this looks like an id or a continuous value)',
    );
  }
  const rare = classCounts.filter(([, n]) => n < MIN_ROWS_PER_CLASS).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  if (rare.length > 0) {
    throw new DataValidationError(
      blob,
      `${rare.length === 1 ? '1 class' : `${rare.length} classes`} of '${labelColumn}' ${rare.length === 1 ? 'has' : 'have'} fewer than ${MIN_ROWS_PER_CLASS} rows: ${listed(rare)}; ` +
        'the holdout needs one row of each class and training another: add rows of these classes, or remove or merge them',
    );
  }
}

export function tooManyClasses(blob: string, labelColumn: string, dataRow: number): DataValidationError {
  return new DataValidationError(
    blob,
    `'${labelColumn}' has more than ${MAX_CLASSES} distinct values by data row ${dataRow}; ` +
      'a classifier needs several rows per class: set data.labelColumn to the column of class labels',
  );
}

/**
 * Why numeric labels look continuous, or undefined: more than MANY_CLASSES distinct numbers and
 * either fractions among them (2.5 is no class id) or more distinct values than
 * MAX_NUMERIC_CLASS_SHARE of the rows (a classifier wants many rows per class; 214 values in 442
 * rows is a measurement). Few numeric classes (0/1, digits 0-9) stay classes.
 */
function continuousLabels(classCounts: [string, number][], rows: number): { values: number; detail: string; others: string } | undefined {
  // A few rows that are not numbers (a missing value spelled NA) do not make a measurement classes.
  const values: number[] = [];
  const others: [string, number][] = [];
  for (const [label, n] of classCounts) {
    const value = label.trim() === '' ? Number.NaN : Number(label);
    if (Number.isFinite(value)) values.push(value);
    else others.push([label, n]);
  }
  const otherRows = others.reduce((sum, [, n]) => sum + n, 0);
  if (values.length <= MANY_CLASSES || otherRows > MAX_NON_NUMERIC_SHARE * rows) return undefined;
  const fractional = values.filter((v) => !Number.isInteger(v));
  const range = `from ${Math.min(...values)} to ${Math.max(...values)}`;
  const result = (detail: string) => ({
    values: values.length,
    detail,
    others: otherRows === 0 ? '' : `, and ${otherRows} ${otherRows === 1 ? 'row' : 'rows'} that are not numbers such as '${others[0]![0]}'`,
  });
  if (fractional.length > 0) return result(`${range}, ${fractional.length} of them fractions such as ${fractional[0]}`);
  return values.length / rows > MAX_NUMERIC_CLASS_SHARE ? result(range) : undefined;
}
