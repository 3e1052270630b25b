import { CsvError, parse } from 'csv-parse/sync';
import { DataValidationError } from '../errors';

export interface TabularData {
  columns: string[];
  rows: string[][];
  labelIndex: number;
  classes: string[];
}

export interface ValidateCsvOptions {
  labelColumn: string;
  /** @default 2 */
  minRows?: number;
}

/**
 * The data gate: refuses what a training job would choke on, with a reason that says
 * where the problem is and how to fix it. Every refusal is a DataValidationError.
 */
export function validateCsv(content: Buffer, blob: string, options: ValidateCsvOptions): TabularData {
  const minRows = options.minRows ?? 2;
  if (content.length === 0) throw new DataValidationError(blob, 'the file is empty; upload a CSV with a header row');
  if (looksBinary(content)) {
    throw new DataValidationError(blob, 'not a CSV text file (binary content); upload UTF-8 CSV with a header row');
  }
  let records: string[][];
  try {
    records = parse(content, { bom: true, skip_empty_lines: true, trim: true, relax_quotes: false }) as string[][];
  } catch (error) {
    // csv-parse's messages already name the line ("expect 6, got 5 on line 12").
    const message = error instanceof CsvError ? error.message : String(error);
    throw new DataValidationError(blob, `malformed CSV: ${message}; every row needs as many fields as the header`);
  }
  const [header, ...rows] = records;
  if (!header || header.every((h) => h === '')) {
    throw new DataValidationError(blob, 'the file has no header row');
  }
  const duplicate = header.find((h, i) => header.indexOf(h) !== i);
  if (duplicate !== undefined) throw new DataValidationError(blob, `column '${duplicate}' appears twice in the header`);
  const labelIndex = header.indexOf(options.labelColumn);
  if (labelIndex < 0) {
    throw new DataValidationError(
      blob,
      `no label column '${options.labelColumn}' (columns: ${header.join(', ')}); ` +
        'rename the target column or set data.labelColumn in autopilot.yaml',
    );
  }
  if (header.length < 2) throw new DataValidationError(blob, 'no feature columns besides the label');
  if (rows.length < minRows) {
    throw new DataValidationError(blob, `${rows.length} data rows; the pipeline needs at least ${minRows} (data.minRows)`);
  }
  const emptyLabel = rows.findIndex((r) => r[labelIndex] === '');
  if (emptyLabel >= 0) {
    const count = rows.filter((r) => r[labelIndex] === '').length;
    throw new DataValidationError(
      blob,
      `${count} rows have an empty '${options.labelColumn}', the first at data row ${emptyLabel + 1}; label every row`,
    );
  }
  const classes = [...new Set(rows.map((r) => r[labelIndex]!))].sort();
  if (classes.length < 2) {
    throw new DataValidationError(blob, `'${options.labelColumn}' has a single class (${classes[0]}); a classifier needs two or more`);
  }
  return { columns: header, rows, labelIndex, classes };
}

/** A NUL byte or invalid UTF-8 in the first 8 KiB: CSV exports never contain either. */
function looksBinary(content: Buffer): boolean {
  const head = content.subarray(0, 8192);
  if (head.includes(0)) return true;
  const text = head.toString('utf8');
  // Allow one truncated multi-byte character at the cut.
  const replacements = text.match(/\uFFFD/g)?.length ?? 0;
  return replacements > (head.length === content.length ? 0 : 1);
}
