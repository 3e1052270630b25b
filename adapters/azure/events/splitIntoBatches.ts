export interface Batches<T> {
  /** Consecutive runs of the input, in order, each within the byte limit. */
  batches: T[][];
  /** Items that alone exceed the limit: no request can carry them. */
  oversized: { item: T; bytes: number }[];
}

/**
 * Packs items greedily, in order, into JSON arrays of at most `maxBytes` UTF-8 bytes
 * (brackets and commas counted). `sizeOf` gives one item's serialized size.
 */
export function splitIntoBatches<T>(items: readonly T[], maxBytes: number, sizeOf: (item: T) => number): Batches<T> {
  const batches: T[][] = [];
  const oversized: { item: T; bytes: number }[] = [];
  let current: T[] = [];
  let currentBytes = 2; // "[" and "]"
  for (const item of items) {
    const bytes = sizeOf(item);
    if (bytes + 2 > maxBytes) {
      oversized.push({ item, bytes });
      continue;
    }
    const added = bytes + (current.length > 0 ? 1 : 0);
    if (currentBytes + added > maxBytes) {
      batches.push(current);
      current = [];
      currentBytes = 2;
    }
    currentBytes += bytes + (current.length > 0 ? 1 : 0);
    current.push(item);
  }
  if (current.length > 0) batches.push(current);
  return { batches, oversized };
}
