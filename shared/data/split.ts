import type { TabularData } from './validateCsv';

/**
 * Deterministic stratified train/holdout split: the same data and seed always give the
 * same split, so the candidate and the champion are judged on exactly the same rows.
 */
export function splitHoldout(
  data: TabularData,
  fraction: number,
  seed: number,
): { train: string[][]; holdout: string[][] } {
  const rng = mulberry32(seed);
  const byClass = new Map<string, number[]>();
  data.rows.forEach((row, i) => {
    const label = row[data.labelIndex]!;
    const list = byClass.get(label) ?? [];
    list.push(i);
    byClass.set(label, list);
  });
  const holdoutIndex = new Set<number>();
  for (const label of [...byClass.keys()].sort()) {
    const indices = byClass.get(label)!;
    shuffle(indices, rng);
    // At least one row per class in each side when the class has two or more rows.
    const take = Math.min(indices.length - 1, Math.max(1, Math.round(indices.length * fraction)));
    for (const i of indices.slice(0, take)) holdoutIndex.add(i);
  }
  const train: string[][] = [];
  const holdout: string[][] = [];
  data.rows.forEach((row, i) => (holdoutIndex.has(i) ? holdout : train).push(row));
  return { train, holdout };
}

// Math.random cannot be seeded; mulberry32 is a small, well-known 32-bit generator.
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], rng: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/** RFC 4180 output: quote fields holding a comma, quote or line break. */
export function toCsv(header: string[], rows: string[][]): string {
  const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
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
      data: rows.map((r) =>
        featureIdx.map((i, k) => (r[i] === '' ? null : numeric[k] ? Number(r[i]) : r[i]!)),
      ),
    },
  };
}
