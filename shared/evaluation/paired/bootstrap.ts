export interface PairedBootstrapOptions {
  /** Resamples drawn. @default 2000 */
  samples?: number;
  /** Seed of the resampling, so the same rows give the same verdict. @default 42 */
  seed?: number;
  /** Lets the host's other work run between slices of resamples. @default one turn of the event loop (setImmediate) */
  yieldToLoop?: () => Promise<void>;
  /** Milliseconds, to end a slice on a slow machine. @default performance.now */
  now?: () => number;
  /** The most row visits the whole bootstrap may spend (see affordableResamples). @default GATE_ROW_VISITS */
  rowVisits?: number;
}

/** A slice of resamples ends after this much time... */
export const SLICE_MS = 20;
/** ...or after this many row visits (a draw or one statistic's pass over one row), whichever comes first. */
export const SLICE_ROW_VISITS = 2_000_000;

// Under Jest's vm sandbox every `Math.` lookup is slow.
const { imul } = Math;
/**
 * The most row visits (a draw, or one statistic's pass over one row) one gate's bootstrap
 * spends: 1-3 s on the 2-core build machine. At the default 2,000 resamples, f1 fits up to
 * 50,000 rows, log_loss 25,000 and 3-class AUC about 7,000; past that, see affordableResamples.
 */
export const GATE_ROW_VISITS = 100_000_000;
/** Enough resamples for a standard error within about 5 % (Efron & Tibshirani 1993, section 6.4). */
export const MIN_RESAMPLES_FOR_SE = 200;

/**
 * The resamples a statistic making `passes` passes per resample can afford on `rows` rows: the
 * asked-for `samples` while rows · (1 + passes) · samples stays within GATE_ROW_VISITS, else
 * as many as fit but no fewer than MIN_RESAMPLES_FOR_SE (nor more than asked). Fewer than asked
 * means the caller should test with the bootstrap's standard error (a normal test) rather than
 * its percentiles, which need the full count in the tails.
 */
export function affordableResamples(rows: number, passes: number, samples: number, rowVisits = GATE_ROW_VISITS): number {
  const fit = Math.floor(rowVisits / (rows * (1 + passes)));
  return Math.min(samples, Math.max(MIN_RESAMPLES_FOR_SE, fit));
}

/** One turn of the event loop: timers and I/O callbacks run before the promise resolves. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** How `improvement` wants the draws tallied. */
export interface Tally {
  /** Passes over the rows one call of `improvement` makes (sizes the slices; 0 when it reads only cells). */
  passes: number;
  /**
   * Per row, its cell: draws are counted per cell rather than per row when the statistic
   * cannot tell the rows of a cell apart (F1 sees only a row's (truth, candidate, champion)
   * classes), so a resample costs its draws and a pass over the cells. @default each row its own cell
   */
  cellOf?: Uint32Array;
  cells?: number;
}

/**
 * Our own (a loop of a dozen lines): the npm bootstrap packages resample index arrays with
 * Math.random, which cannot be seeded, and a verdict must be reproducible. A paired bootstrap:
 * each resample draws n rows with replacement (a multinomial draw), the same rows for both
 * models, and `improvement` turns the rows' multiplicities (or their cells', see Tally) into one
 * number (candidate better when positive). Multiplicities instead of index lists let a statistic keep its per-row work
 * precomputed (sort orders, losses), so one resample costs O(n) with no allocation.
 *
 * At 100,000 rows a bootstrap still takes seconds, so they run in slices of at most
 * SLICE_MS (or SLICE_ROW_VISITS row visits) and the host's event loop gets a turn between
 * slices: HTTP requests, alerts and rollbacks are answered meanwhile. The slicing does
 * not change the numbers: the same seed gives the same replicates. Returns them sorted.
 */
export async function pairedBootstrap(
  rows: number,
  improvement: (counts: Uint32Array) => number,
  options: PairedBootstrapOptions = {},
  tally: Tally = { passes: 1 },
): Promise<Float64Array> {
  const samples = options.samples ?? 2000;
  const yieldToLoop = options.yieldToLoop ?? nextTurn;
  const now = options.now ?? (() => performance.now());
  const rng = { state: (options.seed ?? 42) >>> 0 };
  const cellOf = tally.cellOf;
  const counts = new Uint32Array(tally.cells ?? rows);
  const replicates = new Float64Array(samples);
  const visitsPerResample = rows * (1 + tally.passes);
  let sliceStart = now();
  let sliceVisits = 0;
  for (let s = 0; s < samples; s++) {
    if (cellOf) drawIntoCells(rng, rows, cellOf, counts);
    else drawIntoRows(rng, rows, counts);
    replicates[s] = improvement(counts);
    sliceVisits += visitsPerResample;
    if (s + 1 < samples && (sliceVisits >= SLICE_ROW_VISITS || now() - sliceStart >= SLICE_MS)) {
      await yieldToLoop();
      sliceStart = now();
      sliceVisits = 0;
    }
  }
  return replicates.sort();
}

// The two draw loops are kept apart so V8 optimises each as a tight loop; the generator is
// mulberry32 (../../data/split) with its state held here instead of in a closure (a closure
// call per draw was a third of a resample's time).
function drawIntoRows(rng: { state: number }, rows: number, counts: Uint32Array): void {
  let state = rng.state;
  counts.fill(0);
  for (let i = 0; i < rows; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    counts[drawnRow(state, rows)]!++;
  }
  rng.state = state;
}

function drawIntoCells(rng: { state: number }, rows: number, cellOf: Uint32Array, counts: Uint32Array): void {
  let state = rng.state;
  counts.fill(0);
  for (let i = 0; i < rows; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    counts[cellOf[drawnRow(state, rows)]!]!++;
  }
  rng.state = state;
}

/** mulberry32's output for `state`, scaled to a row: the same draw as `(mulberry32() * rows) | 0`. */
function drawnRow(state: number, rows: number): number {
  let t = imul(state ^ (state >>> 15), state | 1);
  t ^= t + imul(t ^ (t >>> 7), t | 61);
  return ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * rows) | 0;
}
