/**
 * @module Section 7's data: 20 features (12 numeric, 8 categorical) and a label, seeded. The
 * training rows go up as a CSV (the release profiles them into the model's baseline); the
 * window rows become inference records, JSON lines as the collector writes them. Both parts are
 * also written as binary columns (float64 per numeric, int32 codes per categorical) for scipy.
 * Numbers carry 6 significant digits, as clients usually send them; scipy reads the same values.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../examples/tabular/lib/random';
import { inferenceBlobName } from '../shared/monitoring/inferenceBlobName';

export const NUMERIC = 12;
export const CATEGORICAL = 8;
export const CARDINALITY = [3, 5, 10, 20, 50, 100, 200, 500];
export const FEATURES = [...Array(NUMERIC).keys()].map((j) => `n${j}`).concat([...Array(CATEGORICAL).keys()].map((c) => `c${c}`));
const CHUNK = 20_000;

export interface DriftRows {
  numeric: Float64Array[];
  codes: Int32Array[];
  labels: Uint8Array;
  rows: number;
}

/** One chunk of rows; in the window, n0, n1, n2 and c0 drift (mean +0.2 sd, spread x1.3, a heavier tail, a new category in 3 % of rows). */
function chunkOf(rng: ReturnType<typeof createRng>, rows: number, drift: boolean): DriftRows {
  const numeric = [...Array(NUMERIC).keys()].map((j) => {
    const col = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      const z = rng.normal();
      const x =
        j === 0 && drift
          ? 2 * (z + 0.2)
          : j === 1 && drift
            ? 10 + 2.6 * z
            : j % 3 === 2
              ? Math.exp(z + (drift && j === 2 ? 0.15 : 0))
              : 10 * j + 2 * z;
      col[i] = Number(x.toPrecision(6));
    }
    return col;
  });
  const codes = CARDINALITY.map((k, c) => {
    const col = new Int32Array(rows);
    for (let i = 0; i < rows; i++) col[i] = drift && c === 0 && rng.next() < 0.03 ? k : Math.min(k - 1, Math.floor(k * rng.next() ** 2));
    return col;
  });
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) labels[i] = numeric[0]![i]! + numeric[3]![i]! / 10 + rng.normal() > 3 ? 1 : 0;
  return { numeric, codes, labels, rows };
}

/** Generates `rows` rows chunk by chunk, appends them to the binary column files `<part>_<j>.bin` in `dir` and hands each chunk on. */
export async function generateRows(
  dir: string,
  part: 'baseline' | 'window',
  rows: number,
  seed: number,
  onChunk: (chunk: DriftRows, firstRow: number) => Promise<void>,
): Promise<void> {
  const rng = createRng(seed);
  const fds = FEATURES.map((_, j) => openSync(join(dir, `${part}_${j}.bin`), 'w'));
  try {
    for (let start = 0; start < rows; start += CHUNK) {
      const chunk = chunkOf(rng, Math.min(CHUNK, rows - start), part === 'window');
      chunk.numeric.forEach((col, j) => writeSync(fds[j]!, col));
      chunk.codes.forEach((col, c) => writeSync(fds[NUMERIC + c]!, col));
      await onChunk(chunk, start);
    }
  } finally {
    fds.forEach((fd) => closeSync(fd));
  }
}

const category = (c: number, code: number) => `c${c}_${code}`;

/** The training CSV's lines of a chunk (header first when `header`). */
export function csvLines(chunk: DriftRows, header: boolean): string {
  const lines: string[] = header ? [[...FEATURES, 'label'].join(',')] : [];
  for (let i = 0; i < chunk.rows; i++) {
    lines.push([...chunk.numeric.map((col) => col[i]!), ...chunk.codes.map((col, c) => category(c, col[i]!)), chunk.labels[i]].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A chunk as one inference-data blob: its name in the collector's layout and its JSON lines
 * (InferenceRecord, JSON.stringify's key order), ten rows per request, times spread over `span`.
 */
export function inferenceBlob(
  chunk: DriftRows,
  firstRow: number,
  where: {
    endpoint: string;
    deployment: string;
    model: { name: string; version: number };
    from: number;
    spanMs: number;
    totalRows: number;
  },
): { name: string; text: string } {
  const lines: string[] = [];
  const timeOf = (row: number) => new Date(where.from + Math.floor((row / where.totalRows) * where.spanMs));
  for (let i = 0; i < chunk.rows; i++) {
    const row = firstRow + i;
    const request = Math.floor(row / 10);
    const input: Record<string, unknown> = {};
    FEATURES.forEach((f, j) => (input[f] = j < NUMERIC ? chunk.numeric[j]![i] : category(j - NUMERIC, chunk.codes[j - NUMERIC]![i]!)));
    lines.push(
      JSON.stringify({
        requestId: row % 10 === 0 ? `bench-${request}` : `bench-${request}#${row % 10}`,
        endpoint: where.endpoint,
        environment: 'prod',
        deployment: where.deployment,
        model: where.model,
        time: timeOf(request * 10).toISOString(),
        input,
        prediction: chunk.labels[i] ? '1' : '0',
        latencyMs: 1.5,
      }),
    );
  }
  return {
    name: inferenceBlobName(where.endpoint, where.deployment, timeOf(firstRow), Math.floor(firstRow / CHUNK)),
    text: `${lines.join('\n')}\n`,
  };
}
