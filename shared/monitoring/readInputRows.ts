/** The input rows of a scoring request as named feature values; `undefined` for a row without column names. */
export interface InputRows {
  rows: (Record<string, unknown> | undefined)[];
  /** Why the body as a whole could not be read (then `rows` is empty). */
  unreadable?: string;
}

/** Columns and rows of a request, whatever shape it came in. */
interface Split {
  columns: string[] | undefined;
  data: unknown[];
}

/**
 * The request shapes scoring scripts commonly accept, tried in this order: Azure ML MLflow
 * `input_data` (split orientation or records), MLflow 2 serving `dataframe_split` /
 * `dataframe_records`, and the plain `{"data": [...]}` of custom scripts.
 * Checked by hand rather than with a zod union: this runs for every collected request, and the
 * union cost twice the JSON parse (bench section 6 profile).
 */
function splitOf(json: unknown): Split | undefined {
  if (!isObject(json)) return undefined;
  return (
    split(json['input_data']) ??
    rows(json['input_data']) ??
    split(json['dataframe_split']) ??
    rows(json['dataframe_records']) ??
    rows(json['data'])
  );
}

function split(value: unknown): Split | undefined {
  if (!isObject(value) || !Array.isArray(value['data'])) return undefined;
  const columns = value['columns'];
  if (columns !== undefined && !(Array.isArray(columns) && columns.every((c) => typeof c === 'string'))) return undefined;
  return { columns: columns as string[] | undefined, data: value['data'] };
}

function rows(value: unknown): Split | undefined {
  return Array.isArray(value) ? { columns: undefined, data: value } : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads a scoring request's rows with their column names. Rows that are objects carry
 * their own names; array rows need the body's `columns`, and one of the wrong length
 * cannot be trusted either: both come back as `undefined` (uncollectable).
 */
export function readInputRows(body: Buffer): InputRows {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { rows: [], unreadable: 'the request body is not JSON' };
  }
  const parsed = splitOf(json);
  if (!parsed)
    return {
      rows: [],
      unreadable: 'the request body has none of input_data, dataframe_split, dataframe_records or data with a list of rows',
    };
  const { columns, data } = parsed;
  const twice = columns?.find((column, i) => columns.indexOf(column) !== i);
  // Which of the two values the model read is unknown: collecting either could record what it did not see.
  if (twice !== undefined) return { rows: [], unreadable: `the request's columns name '${twice}' more than once` };
  return { rows: data.map((row) => toNamedRow(row, columns)) };
}

function toNamedRow(row: unknown, columns: string[] | undefined): Record<string, unknown> | undefined {
  if (Array.isArray(row)) {
    if (!columns || columns.length !== row.length) return undefined;
    // Assigned one by one (Object.fromEntries cost 7x as much per row and made slower objects to
    // stringify); a column named "__proto__" is defined as a plain key, never set as the prototype.
    const named: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      if (column === '__proto__')
        Object.defineProperty(named, column, { value: row[i], enumerable: true, writable: true, configurable: true });
      else named[column] = row[i];
    }
    return named;
  }
  // Fresh from JSON.parse: a plain object of its own keys ("__proto__" included), nothing to copy.
  if (row !== null && typeof row === 'object') return row as Record<string, unknown>;
  return undefined;
}
