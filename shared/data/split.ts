// Math.imul as a module constant: under Jest's vm sandbox every `Math.` lookup goes through
// the sandbox's global object, and the gate's bootstrap draws millions of numbers.
const { imul } = Math;
// Math.random cannot be seeded; mulberry32 is a small, well-known 32-bit generator.
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** RFC 4180 output: quote fields holding a comma, quote or line break. */
export function toCsv(header: string[], rows: string[][]): string {
  return toCsvLine(header) + rows.map(toCsvLine).join('');
}

const NEEDS_QUOTES = /[",\r\n]/;

/** One record and its line break; the common record needs no quotes and is joined as is. */
export function toCsvLine(record: string[]): string {
  for (let i = 0; i < record.length; i++) {
    if (NEEDS_QUOTES.test(record[i]!)) return record.map((v) => (NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',') + '\n';
  }
  return record.join(',') + '\n';
}

/**
 * Builds the scoring request for evaluation: MLflow split orientation, label removed,
 * numeric columns as numbers and empty cells as null (what a JSON client would send).
 */
export function toScoreRequest(columns: string[], rows: string[][], labelIndex: number) {
  const featureIdx = columns.map((_, i) => i).filter((i) => i !== labelIndex);
  const numeric = featureIdx.map((i) => rows.every((r) => r[i] === '' || Number.isFinite(Number(r[i]))));
  return {
    input_data: {
      columns: featureIdx.map((i) => columns[i]!),
      data: rows.map((r) => featureIdx.map((i, k) => (r[i] === '' ? null : numeric[k] ? Number(r[i]) : r[i]!))),
    },
  };
}
