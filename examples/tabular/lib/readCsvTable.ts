import { CsvError, parse } from 'csv-parse/sync';
import { TrainingDataError } from './TrainingDataError';

export interface CsvTable {
  columns: string[];
  /** Data rows, every one with exactly `columns.length` cells. */
  rows: string[][];
}

/**
 * Parses CSV text with a header row (BOM, quoted fields and CRLF handled by csv-parse) and
 * refuses what cannot be a training table, naming the file and, where csv-parse knows it, the line.
 */
export function readCsvTable(text: string, source: string): CsvTable {
  if (text.replace(/^\uFEFF/, '').trim() === '')
    throw new TrainingDataError(source, 'the file is empty; expected a CSV with a header row and data rows');
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    if (error instanceof CsvError) {
      throw new TrainingDataError(source, `not a valid CSV: ${error.message}${hintFor(error)}`);
    }
    throw error;
  }
  const [header, ...rows] = records;
  if (!header || rows.length === 0) throw new TrainingDataError(source, 'the file has a header but no data rows');
  const columns = header.map((name) => name.trim());
  columns.forEach((name, j) => {
    if (name === '') throw new TrainingDataError(source, `column ${j + 1} of the header has no name`);
    if (columns.indexOf(name) !== j) throw new TrainingDataError(source, `the header names column '${name}' twice`);
  });
  return { columns, rows };
}

function hintFor(error: CsvError): string {
  return error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH'
    ? ' (every row must have as many fields as the header; quote fields that contain commas)'
    : '';
}
