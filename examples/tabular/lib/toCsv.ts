import type { Dataset } from './generateDataset';

/** RFC 4180 CSV: fields with a comma, quote or line break are quoted; null is an empty cell. */
export function toCsv(dataset: Dataset): string {
  const lines = [dataset.columns, ...dataset.rows].map((row) => row.map(formatCell).join(','));
  return `${lines.join('\n')}\n`;
}

function formatCell(cell: string | number | null): string {
  if (cell === null) return '';
  const text = String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
