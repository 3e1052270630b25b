/**
 * How one cell reads for the statistics: missing, a number, or text. The rule matches the
 * example trainer (examples/tabular/lib/parseNumber.ts): strings count as numbers only when
 * they are plain decimals, because `Number()` alone would turn "0x1A", "Infinity" or " " into
 * numbers and hide broken upstream data. Copied rather than imported: shared/ must not depend
 * on examples/.
 */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export type Cell = { kind: 'missing' } | { kind: 'number'; value: number } | { kind: 'text'; text: string };

const MISSING: Cell = { kind: 'missing' };

/** Empty strings, null, undefined and NaN are missing; finite numbers and decimal strings are numbers. */
export function readCell(value: unknown): Cell {
  if (value === null || value === undefined) return MISSING;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return MISSING;
    return Number.isFinite(value) ? { kind: 'number', value } : { kind: 'text', text: String(value) };
  }
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const trimmed = text.trim();
  if (trimmed === '') return MISSING;
  if (DECIMAL.test(trimmed)) {
    const parsed = Number(trimmed);
    if (Number.isFinite(parsed)) return { kind: 'number', value: parsed };
  }
  return { kind: 'text', text };
}

/** The category a non-missing cell counts under (numbers in their shortest decimal form). */
export function toCategory(cell: Cell): string {
  if (cell.kind === 'number') return String(cell.value);
  if (cell.kind === 'text') return cell.text;
  throw new RangeError('a missing cell has no category');
}
