import { z } from 'zod';

/** Count, mean and sum of squared deviations (Welford), mergeable with Chan et al.'s formula. */
export const Moments = z.object({ n: z.number().min(0), mean: z.number(), m2: z.number().min(0) });
export type Moments = z.infer<typeof Moments>;

export function emptyMoments(): Moments {
  return { n: 0, mean: 0, m2: 0 };
}

export function addToMoments(m: Moments, x: number): void {
  m.n++;
  const delta = x - m.mean;
  m.mean += delta / m.n;
  m.m2 += delta * (x - m.mean);
}

export function mergeMoments(a: Moments, b: Moments): Moments {
  const n = a.n + b.n;
  if (n === 0) return emptyMoments();
  const delta = b.mean - a.mean;
  return { n, mean: a.mean + (delta * b.n) / n, m2: a.m2 + b.m2 + (delta * delta * a.n * b.n) / n };
}

/** Population standard deviation (ddof = 0, numpy's default). */
export function standardDeviation(m: Moments): number {
  return m.n === 0 ? 0 : Math.sqrt(m.m2 / m.n);
}
