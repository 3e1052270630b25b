import { parseNumber } from './parseNumber';

export type ClassLabel = string | number;

export interface EncodedLabels {
  /** Sorted: numeric order when every label is a number, otherwise lexicographic. */
  classes: ClassLabel[];
  /** Class index of each row. */
  y: Int32Array;
}

/**
 * Finds the classes of a label column and the class index of every row. Numeric labels stay
 * numbers (so a scorer answers 1, not "1"), and "1" and "1.0" are the same class.
 */
export function encodeLabels(cells: readonly string[]): EncodedLabels {
  const numbers = cells.map(parseNumber);
  const numeric = numbers.every((v) => v !== undefined);
  const keys: ClassLabel[] = numeric ? (numbers as number[]) : cells.map((c) => c.trim());
  const classes = [...new Set<ClassLabel>(keys)].sort((a, b) => (numeric ? (a as number) - (b as number) : a < b ? -1 : a > b ? 1 : 0));
  const indexOf = new Map(classes.map((c, k) => [c, k]));
  return { classes, y: Int32Array.from(keys, (key) => indexOf.get(key)!) };
}
