import * as jsonBytes from './jsonBytes';
import type { Cursor, StringInterner } from './jsonBytes';

// Module-local copies: where modules are compiled to CommonJS with export getters (tsx, esbuild),
// every call of an imported function first runs its getter; in this loop that was a fifth of the time (profiled).
const { numberAt, skipSpace, stringAt, stringEquals } = jsonBytes;
const Interner = jsonBytes.StringInterner;

/**
 * One inference record's cells for the statistics, filled in place for each line (no object
 * per row). Slot i is `columns[i]`: kind 0 absent (the input has no such key), 1 a finite
 * number in `numbers[i]`, 2 any other value in `others[i]` (string, boolean, null, ±Infinity).
 */
export class ScannedCells {
  readonly kinds: Uint8Array;
  readonly numbers: Float64Array;
  readonly others: unknown[];
  deployment = '';
  time = '';

  constructor(readonly columns: readonly string[]) {
    this.kinds = new Uint8Array(columns.length);
    this.numbers = new Float64Array(columns.length);
    this.others = new Array<unknown>(columns.length).fill(undefined);
  }

  /** The cells of a record read the slow way (JSON.parse), for lines the scanner leaves to it. */
  fill(input: Readonly<Record<string, unknown>>, deployment: string, time: string): void {
    this.deployment = deployment;
    this.time = time;
    this.columns.forEach((column, i) => {
      const present = Object.prototype.hasOwnProperty.call(input, column);
      const value = input[column];
      this.kinds[i] = !present ? 0 : typeof value === 'number' && Number.isFinite(value) ? 1 : 2;
      if (this.kinds[i] === 1) this.numbers[i] = value as number;
      else this.others[i] = value;
    });
  }
}

/** Local rather than imported: an imported binding is read through a getter on every use (profiled). */
const QUOTE = 0x22;
const ENVIRONMENTS = ['dev', 'staging', 'prod'];
/** Top-level keys the record schema (inferenceRecord.ts) reads; any other key is skipped if its value is a scalar. */
const KEYS = [
  'requestId',
  'endpoint',
  'environment',
  'deployment',
  'model',
  'time',
  'input',
  'prediction',
  'probabilities',
  'latencyMs',
] as const;
/** All but probabilities and latencyMs (zod v4 requires a `z.unknown()` key too, so `prediction` is required). */
const REQUIRED = 0xff;

/**
 * Reads a JSON line of an InferenceRecord straight into ScannedCells. Returns false for any
 * line it does not read plainly (escapes, nested input values, a duplicate or missing key, a
 * value of the wrong type…); the caller then parses that line with JSON.parse and the zod
 * schema, so a line's outcome (record or malformed, and its values) is the schema's. The
 * prediction goes to the slot named `predictionColumn`, overriding an input of that name as
 * the monitor's `{ ...input, [PREDICTION_COLUMN]: prediction }` does.
 */
export class InferenceLineScanner {
  private readonly c: Cursor = { end: 0, hash: 0, wide: false, value: 0 };
  private readonly slots: readonly string[];
  private readonly predictionSlot: number;
  private readonly interners: StringInterner[];
  private readonly names = new Interner(256);
  private nextSlot = 0;
  private nextKey = 0;

  constructor(
    readonly cells: ScannedCells,
    predictionColumn: string,
  ) {
    this.slots = cells.columns;
    this.predictionSlot = cells.columns.indexOf(predictionColumn);
    this.interners = cells.columns.map(() => new Interner());
  }

  scan(bytes: Uint8Array, start: number, end: number): boolean {
    const { c, cells } = this;
    cells.kinds.fill(0);
    let i = skipSpace(bytes, start, end);
    if (bytes[i] !== 0x7b) return false;
    i = skipSpace(bytes, i + 1, end);
    let seen = 0;
    while (bytes[i] === QUOTE) {
      const key = this.matchKey(bytes, i, end, KEYS, this.nextKey);
      if (key === -2) return false;
      if (key >= 0) this.nextKey = key + 1;
      i = skipSpace(bytes, c.end, end);
      if (bytes[i] !== 0x3a) return false;
      i = skipSpace(bytes, i + 1, end);
      if (key >= 0) {
        if (seen & (1 << key)) return false;
        seen |= 1 << key;
      }
      if (key === 4) i = this.model(bytes, i, end);
      else if (key === 6) i = this.input(bytes, i, end);
      else if (key === 8) i = this.probabilities(bytes, i, end);
      else if (key === 7) i = this.scalar(bytes, i, end, this.predictionSlot);
      else if (key === 0 || key === 1 || key === 2 || key === 3 || key === 5) {
        if (bytes[i] !== QUOTE) return false;
        stringAt(bytes, i, end, c);
        if (c.end < 0) return false;
        if (key === 0 && c.end - i === 2) return false;
        if (key === 2 && !ENVIRONMENTS.some((e) => stringEquals(bytes, i, c.end, e))) return false;
        if (key === 3) cells.deployment = this.names.get(bytes, i, c.end, c);
        if (key === 5) cells.time = this.names.get(bytes, i, c.end, c);
        i = c.end;
      } else if (key === 9) {
        numberAt(bytes, i, end, c);
        if (c.end < 0 || !Number.isFinite(c.value)) return false;
        i = c.end;
      } else i = this.scalar(bytes, i, end, -1);
      if (i < 0) return false;
      i = skipSpace(bytes, i, end);
      if (bytes[i] !== 0x2c) break;
      i = skipSpace(bytes, i + 1, end);
      // JSON has no trailing comma.
      if (bytes[i] !== QUOTE) return false;
    }
    if (bytes[i] !== 0x7d || (seen & REQUIRED) !== REQUIRED) return false;
    if (skipSpace(bytes, i + 1, end) !== end) return false;
    return true;
  }

  /**
   * The index in `names` of the key token at i (its end in `c.end`), -1 for another key, -2 for
   * a token that is not a plain string. Writers keep one key order, so `names[guess]` is tried
   * first, by bytes, without scanning the token twice.
   */
  private matchKey(bytes: Uint8Array, i: number, end: number, names: readonly string[], guess: number): number {
    const c = this.c;
    const expected = names[guess < names.length ? guess : 0]!;
    const after = i + 1 + expected.length;
    if (after < end && bytes[after] === QUOTE) {
      let j = 0;
      while (j < expected.length && bytes[i + 1 + j] === expected.charCodeAt(j)) j++;
      if (j === expected.length) {
        c.end = after + 1;
        return guess < names.length ? guess : 0;
      }
    }
    stringAt(bytes, i, end, c);
    // A key with bytes over 0x7f is compared as text by JSON.parse, not here.
    if (c.end < 0 || c.wide) return -2;
    for (let k = 0; k < names.length; k++) if (stringEquals(bytes, i, c.end, names[k]!)) return k;
    return -1;
  }

  /** A scalar value at i into `slot` (or nowhere for -1); the index after it, or -1. */
  private scalar(bytes: Uint8Array, i: number, end: number, slot: number): number {
    const { c, cells } = this;
    const b = bytes[i];
    let value: unknown;
    if (b === QUOTE) {
      stringAt(bytes, i, end, c);
      if (c.end < 0) return -1;
      if (slot >= 0) value = this.interners[slot]!.get(bytes, i, c.end, c);
    } else if (b === 0x74 || b === 0x66 || b === 0x6e) {
      const word = b === 0x74 ? 'true' : b === 0x66 ? 'false' : 'null';
      for (let j = 0; j < word.length; j++) if (bytes[i + j] !== word.charCodeAt(j)) return -1;
      c.end = i + word.length;
      value = b === 0x74 ? true : b === 0x66 ? false : null;
    } else {
      numberAt(bytes, i, end, c);
      if (c.end < 0) return -1;
      if (slot >= 0 && Number.isFinite(c.value)) {
        cells.kinds[slot] = 1;
        cells.numbers[slot] = c.value;
        return c.end;
      }
      value = c.value;
    }
    if (slot >= 0) {
      cells.kinds[slot] = 2;
      cells.others[slot] = value;
    }
    return c.end;
  }

  /** `input`: an object of scalars; keys matched to slots by bytes, trying the slot after the last match first. */
  private input(bytes: Uint8Array, i: number, end: number): number {
    const { c } = this;
    if (bytes[i] !== 0x7b) return -1;
    i = skipSpace(bytes, i + 1, end);
    if (bytes[i] === 0x7d) return i + 1;
    for (;;) {
      if (bytes[i] !== QUOTE) return -1;
      const slot = this.matchKey(bytes, i, end, this.slots, this.nextSlot);
      if (slot === -2) return -1;
      if (slot >= 0) this.nextSlot = slot + 1;
      // __proto__ is left to JSON.parse and the schema.
      else if (stringEquals(bytes, i, c.end, '__proto__')) return -1;
      i = skipSpace(bytes, c.end, end);
      if (bytes[i] !== 0x3a) return -1;
      i = skipSpace(bytes, i + 1, end);
      // The prediction overrides an input of its name, whatever order the keys come in.
      i = this.scalar(bytes, i, end, slot === this.predictionSlot ? -1 : slot);
      if (i < 0) return -1;
      i = skipSpace(bytes, i, end);
      if (bytes[i] === 0x7d) return i + 1;
      if (bytes[i] !== 0x2c) return -1;
      i = skipSpace(bytes, i + 1, end);
    }
  }

  /** `model`: {name: string, version: safe integer, anything else scalar}. */
  private model(bytes: Uint8Array, i: number, end: number): number {
    const { c } = this;
    if (bytes[i] !== 0x7b) return -1;
    i = skipSpace(bytes, i + 1, end);
    let seen = 0;
    while (bytes[i] === QUOTE) {
      stringAt(bytes, i, end, c);
      if (c.end < 0) return -1;
      const key = stringEquals(bytes, i, c.end, 'name') ? 1 : stringEquals(bytes, i, c.end, 'version') ? 2 : 0;
      if (seen & key) return -1;
      seen |= key;
      i = skipSpace(bytes, c.end, end);
      if (bytes[i] !== 0x3a) return -1;
      i = skipSpace(bytes, i + 1, end);
      if (key === 1) {
        if (bytes[i] !== QUOTE) return -1;
        stringAt(bytes, i, end, c);
        i = c.end;
      } else if (key === 2) {
        numberAt(bytes, i, end, c);
        if (c.end < 0 || !Number.isSafeInteger(c.value)) return -1;
        i = c.end;
      } else i = this.scalar(bytes, i, end, -1);
      if (i < 0) return -1;
      i = skipSpace(bytes, i, end);
      if (bytes[i] !== 0x2c) break;
      i = skipSpace(bytes, i + 1, end);
      if (bytes[i] !== QUOTE) return -1;
    }
    return bytes[i] === 0x7d && seen === 3 ? i + 1 : -1;
  }

  /** `probabilities`: an array of finite numbers (read, not kept: the statistics do not use them). */
  private probabilities(bytes: Uint8Array, i: number, end: number): number {
    const { c } = this;
    if (bytes[i] !== 0x5b) return -1;
    i = skipSpace(bytes, i + 1, end);
    if (bytes[i] === 0x5d) return i + 1;
    for (;;) {
      numberAt(bytes, i, end, c);
      if (c.end < 0 || !Number.isFinite(c.value)) return -1;
      i = skipSpace(bytes, c.end, end);
      if (bytes[i] === 0x5d) return i + 1;
      if (bytes[i] !== 0x2c) return -1;
      i = skipSpace(bytes, i + 1, end);
    }
  }
}
