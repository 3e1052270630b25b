import fc from 'fast-check';

/**
 * Near-valid inputs: a real sample with one to three edits at random paths (a value
 * replaced by any JSON, a key removed, a key added, a string made hostile). Pure random
 * JSON almost never gets past the first check of a parser; these reach the deep ones.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const HOSTILE_STRINGS = [
  '',
  ' ',
  '..',
  '../x',
  'a/../../b',
  '\u0000',
  '\u0001ctrl',
  'NaN',
  'Infinity',
  '-1',
  '1e309',
  '__proto__',
  'constructor',
  '%2e%2e',
  '\\',
  '😀',
  'x'.repeat(5000),
];

const replacement: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue() as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(...HOSTILE_STRINGS, null, true, 0, -1, 1.5, Number.MAX_SAFE_INTEGER, [], {}),
);

type Edit = { path: number[]; kind: 'replace' | 'delete' | 'add'; value: Json; key: string };

const edit: fc.Arbitrary<Edit> = fc.record({
  path: fc.array(fc.nat(), { maxLength: 5 }),
  kind: fc.constantFrom('replace', 'delete', 'add'),
  value: replacement,
  key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'specversion', 'data')),
});

export function mutated(sample: unknown): fc.Arbitrary<unknown> {
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    let value = structuredClone(sample) as Json;
    for (const e of edits) value = apply(value, e);
    return value;
  });
}

function apply(root: Json, e: Edit): Json {
  if (e.path.length === 0 || typeof root !== 'object' || root === null) return e.kind === 'delete' ? null : e.value;
  const keys = Object.keys(root);
  if (keys.length === 0) return e.value;
  const key = keys[e.path[0]! % keys.length]!;
  const container = root as Record<string, Json>;
  const child = container[key]!;
  const rest = { ...e, path: e.path.slice(1) };
  if (rest.path.length === 0 || typeof child !== 'object' || child === null) {
    if (e.kind === 'delete') delete container[key];
    else if (e.kind === 'add' && !Array.isArray(root))
      Object.defineProperty(container, e.key, { value: e.value, enumerable: true, writable: true, configurable: true });
    else container[key] = e.value;
    return root;
  }
  container[key] = apply(child, rest);
  return root;
}
