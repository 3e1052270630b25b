/**
 * Strict decimal parsing shared by type inference, labels and scoring. `Number()` alone would
 * accept "0x1A", "Infinity" and " " (as 0), which would silently turn codes or blanks into numbers.
 */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The finite number a cell holds, or undefined when it is not a plain decimal. */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

/** Empty cells, JSON null/undefined and NaN are missing values. */
export function isMissing(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'number') return Number.isNaN(value);
  return typeof value === 'string' && value.trim() === '';
}
