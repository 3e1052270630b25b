import { z } from 'zod';

/**
 * Category counts in bounded memory: exact until `capacity` distinct values, then the
 * Misra–Gries "frequent items" summary (batched: when 2·capacity keys are held, subtract the
 * capacity-th largest count from every key and drop those at or below zero). Every count is
 * then an under-estimate by at most `undercount` ≤ n / capacity, and any category with more
 * than n / capacity occurrences is still present. Mergeable: add counts, then purge.
 */
export const CategoryCounts = z.object({
  capacity: z.int().min(1),
  counts: z.record(z.string(), z.number()),
  /** Upper bound on how much any single count may be under-estimated (0 while exact). */
  undercount: z.number().min(0),
});
export type CategoryCounts = z.infer<typeof CategoryCounts>;

/** @default distinct categories counted exactly per feature before approximation starts. */
export const DEFAULT_CATEGORY_CAPACITY = 10_000;

export class CategoryCounter {
  private readonly counts = new Map<string, number>();
  private decremented = 0;

  constructor(readonly capacity: number = DEFAULT_CATEGORY_CAPACITY) {}

  static fromJSON(state: CategoryCounts): CategoryCounter {
    const c = new CategoryCounter(state.capacity);
    for (const [k, v] of Object.entries(state.counts)) c.counts.set(k, v);
    c.decremented = state.undercount;
    return c;
  }

  toJSON(): CategoryCounts {
    return { capacity: this.capacity, counts: Object.fromEntries(this.counts), undercount: this.decremented };
  }

  get exact(): boolean {
    return this.decremented === 0;
  }
  get undercount(): number {
    return this.decremented;
  }
  get distinct(): number {
    return this.counts.size;
  }

  add(category: string, weight = 1): void {
    this.counts.set(category, (this.counts.get(category) ?? 0) + weight);
    if (this.counts.size >= 2 * this.capacity) this.purge();
  }

  merge(other: CategoryCounter): this {
    for (const [k, v] of other.counts) this.counts.set(k, (this.counts.get(k) ?? 0) + v);
    this.decremented += other.decremented;
    while (this.counts.size >= 2 * this.capacity) this.purge();
    return this;
  }

  /** Categories by descending count, ties by name so the order is deterministic. */
  top(limit: number): { value: string; count: number }[] {
    return [...this.counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, limit)
      .map(([value, count]) => ({ value, count }));
  }

  private purge(): void {
    const sorted = [...this.counts.values()].sort((a, b) => b - a);
    const cut = sorted[this.capacity - 1] ?? 0;
    for (const [k, v] of this.counts) {
      if (v <= cut) this.counts.delete(k);
      else this.counts.set(k, v - cut);
    }
    this.decremented += cut;
  }
}
