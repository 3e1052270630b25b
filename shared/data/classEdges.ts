import { hashKey, splitPoint, type RowHash } from './rowHash';

/**
 * A class's two rows nearest the ends of [0, 1) for the split's seed (shared/data/rowHash.ts
 * splitPoint): the row the holdout takes when no row of the class falls below the holdout
 * fraction, and the one training keeps when every row does.
 */
export interface ClassEdge {
  /** Hash (16 hex digits) and split point of the row with the lowest point. */
  lowest: string;
  lowestPoint: number;
  highest: string;
  highestPoint: number;
}

/** Gathered during the data gate's first pass: four numbers per class, never the rows. */
export class ClassEdges {
  private readonly edges = new Map<string, { low: number; lowHash: RowHash; high: number; highHash: RowHash }>();

  constructor(private readonly seed: number) {}

  add(label: string, hash: RowHash): void {
    const point = splitPoint(hash, this.seed);
    const edge = this.edges.get(label);
    if (!edge) {
      this.edges.set(label, { low: point, lowHash: hash, high: point, highHash: hash });
      return;
    }
    // An equal point is the same row again (or, at odds of 2^-32, another row): the first one stays.
    if (point < edge.low) Object.assign(edge, { low: point, lowHash: hash });
    if (point > edge.high) Object.assign(edge, { high: point, highHash: hash });
  }

  /** [class, edge], sorted by class like CsvProfile.classCounts. */
  result(): [string, ClassEdge][] {
    return [...this.edges.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([label, e]) => [label, { lowest: hashKey(e.lowHash), lowestPoint: e.low, highest: hashKey(e.highHash), highestPoint: e.high }]);
  }
}
