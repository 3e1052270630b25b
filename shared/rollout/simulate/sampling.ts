/**
 * Exact samplers for simulated traffic, driven by a seeded uniform `rng` (mulberry32).
 * Inversion is O(mean) per draw, fine at the few hundred events per interval simulated here;
 * large draws are split into chunks so e^-mean and (1-p)^n never underflow.
 */
// Math's functions as module constants: under Jest's vm sandbox every `Math.` lookup goes
// through the sandbox's global object and made long simulations ~5x slower.
const { exp, pow, min } = Math;
export type Rng = () => number;

const CHUNK = 500;

export function samplePoisson(rng: Rng, mean: number): number {
  if (!(mean >= 0)) throw new RangeError(`Poisson mean must be >= 0, got ${mean}`);
  let total = 0;
  let rest = mean;
  while (rest > 0) {
    const m = min(rest, CHUNK);
    rest -= m;
    let k = 0;
    let p = exp(-m);
    let cdf = p;
    const u = rng();
    while (u > cdf && p > 0) {
      k += 1;
      p *= m / k;
      cdf += p;
    }
    total += k;
  }
  return total;
}

export function sampleBinomial(rng: Rng, n: number, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`Binomial p must be in [0, 1], got ${p}`);
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  if (p > 0.5) return n - sampleBinomial(rng, n, 1 - p);
  let total = 0;
  for (let left = n; left > 0; left -= CHUNK) {
    const m = min(left, CHUNK);
    const odds = p / (1 - p);
    let k = 0;
    let prob = pow(1 - p, m);
    let cdf = prob;
    const u = rng();
    while (u > cdf && k < m) {
      prob *= (odds * (m - k)) / (k + 1);
      k += 1;
      cdf += prob;
    }
    total += k;
  }
  return total;
}

/** Splits n over categories with the given shares (normalised), by conditional binomials. */
export function sampleMultinomial(rng: Rng, n: number, shares: readonly number[]): number[] {
  let left = n;
  let mass = shares.reduce((a, b) => a + b, 0);
  return shares.map((share, i) => {
    if (i === shares.length - 1) return left;
    const k = mass > 0 ? sampleBinomial(rng, left, min(1, share / mass)) : 0;
    left -= k;
    mass -= share;
    return k;
  });
}
