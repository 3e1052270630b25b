/**
 * Reading JSON scalars straight from UTF-8 bytes, for the inference-data fast path
 * (scanInferenceLine.ts). Only the plain cases are read here; whatever is not plain (an escape
 * in a string, a control character, a nested value) makes the caller give the line to
 * JSON.parse instead, so nothing here has to be a complete JSON parser. Hand-written because
 * JSON.parse plus a zod check cost ~24 µs per 470-byte record on this machine (profiled), and
 * no installed package parses JSON lines into columns without building the objects.
 */

export const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** 10^0 … 10^22: every one exactly representable, which the fast path of numberAt needs. */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** Where a scan stopped and what it read; one instance is reused for every token. */
export interface Cursor {
  /** Index after the token, or -1 when the token is not plain (the caller falls back). */
  end: number;
  /** FNV-1a hash of a string's bytes (for interning). */
  hash: number;
  /** Whether a string held a byte ≥ 0x80 (then it is decoded as UTF-8, not latin1). */
  wide: boolean;
  /** A number's value. */
  value: number;
}

export function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;
}

export function skipSpace(bytes: Uint8Array, i: number, end: number): number {
  while (i < end && isSpace(bytes[i]!)) i++;
  return i;
}

/**
 * A string starting at `bytes[i] === '"'`: sets `c.end` after the closing quote, `c.hash` and
 * `c.wide`; `c.end = -1` for an escape, a control character or no closing quote.
 */
export function stringAt(bytes: Uint8Array, i: number, end: number, c: Cursor): void {
  let hash = 0x811c9dc5;
  let wide = false;
  for (let j = i + 1; j < end; j++) {
    const b = bytes[j]!;
    if (b === QUOTE) {
      c.end = j + 1;
      c.hash = hash >>> 0;
      c.wide = wide;
      return;
    }
    if (b === BACKSLASH || b < 0x20) break;
    if (b >= 0x80) wide = true;
    hash = Math.imul(hash ^ b, 0x01000193);
  }
  c.end = -1;
}

/** The text of a string token [start, end) including its quotes. */
export function decodeString(bytes: Uint8Array, start: number, end: number, wide: boolean): string {
  return decodeBytes(bytes, wide ? 'utf8' : 'latin1', start + 1, end - 1);
}

/** bytes[start, end) as text; Buffers (what storage streams give) are decoded without a copy or a view. */
export function decodeBytes(bytes: Uint8Array, encoding: 'utf8' | 'latin1', start: number, end: number): string {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buffer.toString(encoding, start, end);
}

/** Whether the string token [start, end) (quotes included) holds exactly the ASCII `text`. */
export function stringEquals(bytes: Uint8Array, start: number, end: number, text: string): boolean {
  if (end - start - 2 !== text.length) return false;
  for (let j = 0; j < text.length; j++) if (bytes[start + 1 + j] !== text.charCodeAt(j)) return false;
  return true;
}

/**
 * A JSON number at `i` (grammar checked: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?): sets `c.value` and
 * `c.end`, or `c.end = -1` when it is not one. Up to 15 digits and a decimal exponent within
 * ±22 it computes m·10^e or m/10^-e from exact operands, one correctly rounded operation, so the
 * value equals JSON.parse's (Clinger's fast path); longer numbers go through Number().
 */
export function numberAt(bytes: Uint8Array, i: number, end: number, c: Cursor): void {
  const start = i;
  const negative = bytes[i] === MINUS;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  const first = bytes[i];
  if (first === ZERO) {
    i++;
  } else if (first !== undefined && first > ZERO && first <= NINE) {
    while (i < end && bytes[i]! >= ZERO && bytes[i]! <= NINE) {
      mantissa = mantissa * 10 + (bytes[i]! - ZERO);
      digits++;
      i++;
    }
  } else {
    c.end = -1;
    return;
  }
  let exponent = 0;
  if (bytes[i] === DOT) {
    i++;
    const from = i;
    while (i < end && bytes[i]! >= ZERO && bytes[i]! <= NINE) {
      mantissa = mantissa * 10 + (bytes[i]! - ZERO);
      digits++;
      i++;
    }
    if (i === from) {
      c.end = -1;
      return;
    }
    exponent = from - i;
  }
  const e = bytes[i];
  if (e === 0x65 || e === 0x45) {
    i++;
    let sign = 1;
    if (bytes[i] === MINUS || bytes[i] === PLUS) sign = bytes[i++] === MINUS ? -1 : 1;
    const from = i;
    let written = 0;
    while (i < end && bytes[i]! >= ZERO && bytes[i]! <= NINE) {
      if (written < 1e6) written = written * 10 + (bytes[i]! - ZERO);
      i++;
    }
    if (i === from) {
      c.end = -1;
      return;
    }
    exponent += sign * written;
  }
  c.end = i;
  if (digits <= 15 && exponent >= -22 && exponent <= 22) {
    const magnitude = exponent >= 0 ? mantissa * POW10[exponent]! : mantissa / POW10[-exponent]!;
    c.value = negative ? -magnitude : magnitude;
    return;
  }
  c.value = Number(decodeBytes(bytes, 'latin1', start, i));
}

/**
 * A direct-mapped cache of decoded strings by hash (one entry per bucket, a miss replaces it), so
 * repeated values (categories, times, names) are not decoded again: a Buffer decode costs more
 * than the whole scan of the token. Bounded by its bucket count, whatever the data's cardinality.
 */
export class StringInterner {
  private readonly hashes: Int32Array;
  private readonly strings: (string | undefined)[];
  private readonly mask: number;

  constructor(buckets = 1024) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(1, buckets)));
    this.hashes = new Int32Array(size);
    this.strings = new Array<string | undefined>(size).fill(undefined);
    this.mask = size - 1;
  }

  get(bytes: Uint8Array, start: number, end: number, c: Cursor): string {
    const hash = c.hash | 0;
    const at = (hash ^ (hash >>> 16)) & this.mask;
    const cached = this.strings[at];
    if (cached !== undefined && this.hashes[at] === hash && !c.wide && stringEquals(bytes, start, end, cached)) return cached;
    const text = decodeString(bytes, start, end, c.wide);
    if (!c.wide) {
      this.hashes[at] = hash;
      this.strings[at] = text;
    }
    return text;
  }
}
