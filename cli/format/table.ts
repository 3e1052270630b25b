/**
 * Plain aligned columns, as `kubectl get` prints them: upper-case headers, two spaces
 * between columns, the last column unpadded so long reasons do not leave trailing blanks.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => displayWidth(row[column] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column]! - displayWidth(cell))))
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map((row) => line(headers.map((_, i) => row[i] ?? '')))];
}

/** Shortens text to `max` characters with an ellipsis (reasons can be paragraphs). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Code points, so a ✓ counts as one column like it shows. */
function displayWidth(text: string): number {
  return [...text].length;
}
