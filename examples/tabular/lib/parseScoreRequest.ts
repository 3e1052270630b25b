import { z } from 'zod';

/** A scoring request the model cannot answer; the message says what to fix (HTTP 400). */
export class ScoringRequestError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = 'ScoringRequestError';
  }
}

const Cell = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'expected a number, string, boolean or null',
});
const Split = z.object({
  input_data: z.object({
    columns: z.array(z.string()),
    index: z.array(z.unknown()).optional(),
    data: z.array(z.array(Cell)),
  }),
});
const Rows = z.object({ data: z.array(z.unknown()) });
const ArrayRow = z.array(Cell);
const ObjectRow = z.record(z.string(), Cell);

/**
 * Brings the accepted request shapes to rows of cells in the model's column order:
 *  - `{"input_data": {"columns": [...], "index"?: [...], "data": [[...]]}}` (MLflow split orientation),
 *  - `{"data": [[...]]}` (values in training column order, label excluded),
 *  - `{"data": [{"column": value}]}` (rows as objects).
 * Extra columns are ignored; missing ones are refused, because imputing a whole column would
 * silently score something else than the caller meant.
 */
export function parseScoreRequest(raw: unknown, featureNames: readonly string[]): unknown[][] {
  let body = raw;
  if (typeof raw === 'string' || Buffer.isBuffer(raw)) {
    try {
      body = JSON.parse(raw.toString());
    } catch (error) {
      throw new ScoringRequestError(`the request body is not JSON (${(error as Error).message})`);
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ScoringRequestError(`expected a JSON object {"input_data": {"columns": [...], "data": [[...]]}} or {"data": [...]}`);
  }
  if ('input_data' in body) {
    const { columns, data } = check(Split, body).input_data;
    const twice = namedTwice(columns);
    if (twice.length > 0) {
      throw new ScoringRequestError(
        `input_data.columns names ${twice.map((c) => `'${c}'`).join(', ')} more than once; send each column once`,
      );
    }
    const position = new Map(columns.map((name, j) => [name, j]));
    const missing = featureNames.filter((name) => !position.has(name));
    if (missing.length > 0) {
      throw new ScoringRequestError(
        `input_data.columns lacks ${missing.map((m) => `'${m}'`).join(', ')}; the model needs: ${featureNames.join(', ')}`,
      );
    }
    return data.map((row, i) => {
      if (row.length !== columns.length) {
        throw new ScoringRequestError(`input_data.data[${i}] has ${row.length} values but input_data.columns names ${columns.length}`);
      }
      return featureNames.map((name) => row[position.get(name)!]);
    });
  }
  if ('data' in body) {
    return check(Rows, body).data.map((value, i) => {
      if (Array.isArray(value)) {
        const row = check(ArrayRow, value, `data[${i}]`);
        if (row.length !== featureNames.length) {
          throw new ScoringRequestError(
            `data[${i}] has ${row.length} values; expected ${featureNames.length}, in this order: ${featureNames.join(', ')}`,
          );
        }
        return row;
      }
      if (typeof value !== 'object' || value === null) {
        throw new ScoringRequestError(`data[${i}]: expected a row, as an array of values or an object of column: value`);
      }
      const row = check(ObjectRow, value, `data[${i}]`);
      const missing = featureNames.filter((name) => !Object.hasOwn(row, name));
      if (missing.length > 0) {
        throw new ScoringRequestError(
          `data[${i}] lacks ${missing.map((m) => `'${m}'`).join(', ')}; the model needs: ${featureNames.join(', ')} (use null for a missing value)`,
        );
      }
      return featureNames.map((name) => row[name]);
    });
  }
  throw new ScoringRequestError(
    `expected "input_data" or "data" at the top level, got ${
      Object.keys(body)
        .map((k) => `"${k}"`)
        .join(', ') || 'an empty object'
    }`,
  );
}

function check<S extends z.ZodType>(schema: S, body: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ScoringRequestError(`${pathOf(issue.path, prefix)}: ${issue.message}`);
}

function pathOf(path: readonly PropertyKey[], prefix: string): string {
  const text = path.reduce<string>(
    (soFar, key) => (typeof key === 'number' ? `${soFar}[${key}]` : soFar ? `${soFar}.${String(key)}` : String(key)),
    prefix,
  );
  return text || '(body)';
}

/** Column names given more than once: which of the two values the model would read is arbitrary. */
function namedTwice(columns: readonly string[]): string[] {
  const seen = new Set<string>();
  return [...new Set(columns.filter((c) => seen.has(c) || !seen.add(c)))];
}
