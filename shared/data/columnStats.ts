/** How a cell reads as a number: pandas and numpy write `nan`/`inf`, JavaScript `NaN`/`Infinity`. */
export type CellKind = 'empty' | 'finite' | 'NaN' | 'Infinity' | '-Infinity' | 'text';

const NON_FINITE: Record<string, 'NaN' | 'Infinity' | '-Infinity'> = {
  nan: 'NaN',
  '+nan': 'NaN',
  '-nan': 'NaN',
  inf: 'Infinity',
  '+inf': 'Infinity',
  infinity: 'Infinity',
  '+infinity': 'Infinity',
  '-inf': '-Infinity',
  '-infinity': '-Infinity',
};

export function cellKind(cell: string): CellKind {
  if (cell === '') return 'empty';
  if (Number.isFinite(Number(cell))) return 'finite';
  return NON_FINITE[cell.toLowerCase()] ?? 'text';
}

export function isNonFinite(kind: CellKind): kind is 'NaN' | 'Infinity' | '-Infinity' {
  return kind === 'NaN' || kind === 'Infinity' || kind === '-Infinity';
}

/** Non-finite numbers of one numeric column: what the gate reports. */
export interface NonFiniteCount {
  column: string;
  NaN: number;
  Infinity: number;
  '-Infinity': number;
  /** 1-based data row of the first one. */
  firstRow: number;
}

/**
 * Per-column counters, a row at a time. A column is numeric when every non-empty cell
 * is a number, finite or not; only there do `NaN`/`Infinity` mean a broken number
 * (in a text column "NaN" is just a category, and the model treats it as one).
 */
export class ColumnStats {
  private readonly numeric: boolean[];
  private readonly counts: Omit<NonFiniteCount, 'column'>[];

  constructor(private readonly columns: string[]) {
    this.numeric = columns.map(() => true);
    this.counts = columns.map(() => ({ NaN: 0, Infinity: 0, '-Infinity': 0, firstRow: 0 }));
  }

  add(row: string[], dataRow: number): void {
    for (let i = 0; i < row.length; i++) {
      if (!this.numeric[i]) continue;
      const kind = cellKind(row[i]!);
      if (kind === 'text') this.numeric[i] = false;
      else if (isNonFinite(kind)) {
        const count = this.counts[i]!;
        count[kind]++;
        if (count.firstRow === 0) count.firstRow = dataRow;
      }
    }
  }

  /** Numeric columns (other than `except`) holding NaN or ±Infinity, in column order. */
  nonFinite(except: number): NonFiniteCount[] {
    return this.columns.flatMap((column, i) => {
      const count = this.counts[i]!;
      return i !== except && this.numeric[i] && count.firstRow > 0 ? [{ column, ...count }] : [];
    });
  }
}

/** "'x' (NaN 3, Infinity 1; first at data row 5)". */
export function describeNonFinite(counts: NonFiniteCount[]): string {
  return counts
    .map((c) => {
      const parts = (['NaN', 'Infinity', '-Infinity'] as const).filter((k) => c[k] > 0).map((k) => `${k} ${c[k]}`);
      return `'${c.column}' (${parts.join(', ')}; first at data row ${c.firstRow})`;
    })
    .join(', ');
}
