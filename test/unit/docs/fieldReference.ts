import type { ConfigField } from './configFields';

/** A row of a field table in docs/configuration.md. */
export interface DocumentedField {
  path: string;
  /** The Default cell as written. */
  defaultCell: string;
  line: number;
}

/** The header that marks a field table (docs/configuration.md states the convention at its top). */
export const FIELD_TABLE_HEADER = ['Field', 'Type', 'Default', 'Meaning', 'Example'];

/**
 * The rows of every table whose header is FIELD_TABLE_HEADER. A row's first cell is the
 * field's full path in backticks. Hand-written: no Markdown parser is installed, and
 * pipe tables are one line per row, cells split on unescaped `|`.
 */
export function documentedFields(markdown: string): DocumentedField[] {
  const rows: DocumentedField[] = [];
  let inFieldTable = false;
  markdown.split('\n').forEach((text, index) => {
    if (!text.trimStart().startsWith('|')) {
      inFieldTable = false;
      return;
    }
    const cells = splitRow(text);
    if (cells.every((c) => /^:?-{3,}:?$/.test(c))) return; // the delimiter row
    if (cells.join('|') === FIELD_TABLE_HEADER.join('|')) {
      inFieldTable = true;
      return;
    }
    if (!inFieldTable) return;
    const path = /^`([^`]+)`$/.exec(cells[0] ?? '')?.[1];
    rows.push({ path: path ?? cells[0] ?? '', defaultCell: cells[2] ?? '', line: index + 1 });
  });
  return rows;
}

function splitRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim());
}

export interface FieldReferenceProblems {
  /** Schema fields without a row. */
  missing: string[];
  /** Rows naming no field of the schema (renamed or removed), with their line. */
  unknown: string[];
  /** Rows whose Default cell does not start with the schema's default. */
  wrongDefault: string[];
}

/** Compares the schema's fields with the rows of the doc's field tables. */
export function checkFieldReference(fields: ConfigField[], documented: DocumentedField[]): FieldReferenceProblems {
  const rows = new Map(documented.map((row) => [row.path, row]));
  const known = new Set(fields.map((f) => f.path));
  const wrongDefault: string[] = [];
  for (const field of fields) {
    const row = rows.get(field.path);
    if (!row || !hasCheckableDefault(field)) continue;
    const written = /^`([^`]*)`/.exec(row.defaultCell)?.[1];
    const expected = defaultText(field.default);
    if (written === undefined || written.replace(/\s+/g, '') !== expected.replace(/\s+/g, '')) {
      wrongDefault.push(`${field.path} (line ${row.line}): schema default \`${expected}\`, doc says ${row.defaultCell || '(empty)'}`);
    }
  }
  return {
    missing: fields.filter((f) => !rows.has(f.path)).map((f) => f.path),
    unknown: documented.filter((row) => !known.has(row.path)).map((row) => `${row.path} (line ${row.line})`),
    wrongDefault,
  };
}

/** A section's `{}` default only says "its fields' defaults apply"; the fields' rows carry them. */
function hasCheckableDefault(field: ConfigField): boolean {
  if (!('default' in field) || field.default === undefined) return false;
  const plainObject = typeof field.default === 'object' && field.default !== null && !Array.isArray(field.default);
  return !(field.section && plainObject);
}

/** How the doc writes a default: strings bare (`latest`), everything else as JSON (`[5, 25, 50, 100]`). */
function defaultText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
