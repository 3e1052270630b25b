import { z } from 'zod';

/** The input rows of a scoring request as named feature values; `undefined` for a row without column names. */
export interface InputRows {
  rows: (Record<string, unknown> | undefined)[];
  /** Why the body as a whole could not be read (then `rows` is empty). */
  unreadable?: string;
}

const Rows = z.array(z.unknown());
const Split = z.object({ columns: z.array(z.string()).optional(), data: Rows });

/**
 * The request shapes scoring scripts commonly accept: Azure ML MLflow `input_data` (split
 * orientation or records), MLflow 2 serving `dataframe_split` / `dataframe_records`, and
 * the plain `{"data": [...]}` of custom scripts.
 */
const RequestBody = z.union([
  z.object({ input_data: Split }),
  z.object({ input_data: Rows }),
  z.object({ dataframe_split: Split }),
  z.object({ dataframe_records: Rows }),
  z.object({ data: Rows }),
]);

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
  const parsed = RequestBody.safeParse(json);
  if (!parsed.success) return { rows: [], unreadable: 'the request body has none of input_data, dataframe_split, dataframe_records or data with a list of rows' };
  const { columns, data } = splitOf(parsed.data);
  const twice = columns?.find((column, i) => columns.indexOf(column) !== i);
  // Which of the two values the model read is unknown: collecting either could record what it did not see.
  if (twice !== undefined) return { rows: [], unreadable: `the request's columns name '${twice}' more than once` };
  return { rows: data.map((row) => toNamedRow(row, columns)) };
}

function splitOf(body: z.infer<typeof RequestBody>): { columns: string[] | undefined; data: unknown[] } {
  if ('input_data' in body) return Array.isArray(body.input_data) ? { columns: undefined, data: body.input_data } : { columns: body.input_data.columns, data: body.input_data.data };
  if ('dataframe_split' in body) return { columns: body.dataframe_split.columns, data: body.dataframe_split.data };
  if ('dataframe_records' in body) return { columns: undefined, data: body.dataframe_records };
  return { columns: undefined, data: body.data };
}

function toNamedRow(row: unknown, columns: string[] | undefined): Record<string, unknown> | undefined {
  if (Array.isArray(row)) {
    if (!columns || columns.length !== row.length) return undefined;
    // fromEntries defines own properties: a column named "__proto__" stays a plain key.
    return Object.fromEntries(columns.map((column, i) => [column, row[i]]));
  }
  if (row !== null && typeof row === 'object') return Object.fromEntries(Object.entries(row));
  return undefined;
}
