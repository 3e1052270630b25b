import { createRng, shuffledIndices } from './random';

export interface Split {
  /** Row indices in ascending order (so sums run in file order, whatever the seed). */
  train: number[];
  validation: number[];
}

/**
 * Holds out about `fraction` of each class (seeded), so small validation sets still contain
 * every class when they can; each class keeps at least one training row.
 */
export function stratifiedSplit(y: Int32Array, classCount: number, fraction: number, seed: number): Split {
  const rng = createRng(seed);
  const validation: number[] = [];
  for (let k = 0; k < classCount; k++) {
    const members: number[] = [];
    y.forEach((label, i) => {
      if (label === k) members.push(i);
    });
    const take = Math.min(Math.round(members.length * fraction), members.length - 1);
    const order = shuffledIndices(members.length, rng);
    for (let t = 0; t < take; t++) validation.push(members[order[t]!]!);
  }
  const held = new Set(validation);
  const train = Array.from({ length: y.length }, (_, i) => i).filter((i) => !held.has(i));
  return { train, validation: validation.sort((a, b) => a - b) };
}
