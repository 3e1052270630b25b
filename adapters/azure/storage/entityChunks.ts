/**
 * Table Storage limits a string property to 64 KiB (32 K UTF-16 characters) and an
 * entity to 1 MiB and 255 properties. A value is therefore stored as its JSON split
 * across string properties `d0, d1, ...` of at most 30,000 characters each, with `n`
 * the number of chunks.
 */
export const CHUNK_CHARS = 30_000;
/** 16 chunks x 30,000 chars x 2 bytes stays under the 1 MiB entity limit with headroom. */
export const MAX_CHUNKS = 16;

export type ChunkedProperties = Record<string, string | number>;

export function toEntityChunks(value: unknown, where: string): ChunkedProperties {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`${where}: cannot store ${String(value)}; store a JSON value`);
  const count = Math.max(1, Math.ceil(json.length / CHUNK_CHARS));
  if (count > MAX_CHUNKS) {
    throw new RangeError(
      `${where}: value is ${json.length} characters of JSON; a table row holds at most ${MAX_CHUNKS * CHUNK_CHARS}. ` +
        'Store large payloads in a blob and keep a reference in the row',
    );
  }
  const properties: ChunkedProperties = { n: count };
  for (let i = 0; i < count; i++) properties[`d${i}`] = json.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
  return properties;
}

export function fromEntityChunks<T>(entity: Record<string, unknown>, where: string): T {
  const count = typeof entity.n === 'number' ? entity.n : Number(entity.n);
  if (!Number.isInteger(count) || count < 1) throw new Error(`${where}: row is not an autopilot value (no chunk count 'n')`);
  let json = '';
  for (let i = 0; i < count; i++) {
    const chunk = entity[`d${i}`];
    if (typeof chunk !== 'string') throw new Error(`${where}: row is missing chunk d${i} of ${count}`);
    json += chunk;
  }
  return JSON.parse(json) as T;
}
