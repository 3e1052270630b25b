/**
 * A data row's identity across uploads: a 64-bit hash of its feature cells, so a row seen in
 * one file is recognised in another (a re-upload, a snapshot holding older rows, a union of
 * files). See docs/holdout.md.
 *
 * - The label is left out: what a model can memorise is its input. A row whose features a
 *   model was trained on is no longer unseen for it, whatever label it carries now (a
 *   relabelled row must not come back as a "new" held-out row), and the split keeps rows
 *   with the same features on one side.
 * - Features in column-name order: a file whose columns are reordered holds the same rows.
 * - Cells as the scoring request carries them (shared/data/split.ts toScoreRequest): a
 *   finite number by its value (`1`, `1.0` and `1e0` are one number), NaN/±Infinity as
 *   missing (what data.nonFinite: missing writes), anything else as its text.
 */

/** The feature columns' positions in column-name order (the label left out). */
export function featureOrder(columns: string[], labelIndex: number): number[] {
  return columns
    .map((name, i) => ({ name, i }))
    .filter(({ i }) => i !== labelIndex)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ i }) => i);
}

const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

function normalCell(cell: string): string {
  if (cell === '' || isCanonicalNumber(cell)) return cell;
  const n = Number(cell);
  if (Number.isFinite(n)) return String(n);
  return NON_FINITE.test(cell) ? '' : cell;
}

/**
 * Whether `String(Number(cell))` is `cell` itself, told by one scan of its characters: most
 * cells of numeric data already are, and the conversion costs about 150 ns a cell (most of
 * the split's hashing time). True only for plain decimals of at most 15 digits (so the double
 * round-trips to the same digits) with no leading or trailing zero, no '+' and not '-0', and
 * not below 1e-6 (JavaScript writes 1e-7 with an exponent); anything else takes the slow path.
 */
export function isCanonicalNumber(cell: string): boolean {
  const n = cell.length;
  if (n === 0 || n > 17) return false;
  let i = cell.charCodeAt(0) === 45 ? 1 : 0;
  const start = i;
  let c = cell.charCodeAt(i);
  if (c === 48) i++;
  else if (c >= 49 && c <= 57) while (i < n && (c = cell.charCodeAt(i)) >= 48 && c <= 57) i++;
  else return false;
  const whole = i - start;
  if (i === n) return !(start === 1 && whole === 1 && cell.charCodeAt(1) === 48) && whole <= 15;
  if (cell.charCodeAt(i) !== 46) return false;
  const fraction = ++i;
  while (i < n && (c = cell.charCodeAt(i)) >= 48 && c <= 57) i++;
  if (i !== n || i === fraction || cell.charCodeAt(n - 1) === 48 || whole + (n - fraction) > 15) return false;
  return !(whole === 1 && cell.charCodeAt(start) === 48 && cell.startsWith('000000', fraction));
}

/** A row's hash as two unsigned 32-bit halves. */
export interface RowHash {
  hi: number;
  lo: number;
}

const { imul } = Math;

/**
 * Ours rather than node:crypto's: a native hash call costs about 0.7 µs a row, 25 s over the
 * 18.8-million-row file of bench section 9, against 0.08 µs here. This is cyrb53 (bryc, public
 * domain) kept at its full 64 bits, with a separator before each cell that no UTF-16 code
 * unit can spell (0x10000). Not cryptographic: distinct rows collide with a probability of about
 * rows² / 2^65 (1e-5 at 20 million rows), and a collision only keeps two rows on one side.
 */
export function rowHash(record: string[], features: number[]): RowHash {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let f = 0; f < features.length; f++) {
    const cell = normalCell(record[features[f]!]!);
    // The separator, then the cell: ['a', ''] and ['', 'a'] differ.
    h1 = imul(h1 ^ 0x10000, 2654435761);
    h2 = imul(h2 ^ 0x10000, 1597334677);
    for (let i = 0; i < cell.length; i++) {
      const ch = cell.charCodeAt(i);
      h1 = imul(h1 ^ ch, 2654435761);
      h2 = imul(h2 ^ ch, 1597334677);
    }
  }
  h1 = imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= imul(h1 ^ (h1 >>> 13), 3266489909);
  return { hi: h1 >>> 0, lo: h2 >>> 0 };
}

/** 16 hex digits, the form stored and compared (a row's 8 bytes, big-endian). */
export function hashKey(hash: RowHash): string {
  return hash.hi.toString(16).padStart(8, '0') + hash.lo.toString(16).padStart(8, '0');
}

/** murmur3's 32-bit finaliser: every input bit moves every output bit. */
function fmix32(h: number): number {
  h = imul(h ^ (h >>> 16), 0x85ebca6b);
  h = imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Where a row falls in [0, 1) for a seed: the split holds out the rows below the holdout
 * fraction. A function of the content and the seed only, never of the other rows or their
 * order, so the same row lands on the same side in every file and every release.
 */
export function splitPoint(hash: RowHash, seed: number): number {
  return fmix32(hash.hi ^ fmix32(hash.lo ^ fmix32(seed ^ 0x9e3779b9))) / 4294967296;
}
