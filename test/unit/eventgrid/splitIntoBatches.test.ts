import { splitIntoBatches } from '../../../adapters/azure/events';

const size = (s: string) => s.length;

describe('splitIntoBatches', () => {
  it('keeps everything in one batch when the JSON array fits, counting brackets and commas', () => {
    // ["aaaa","bbbb"] is 2 + 4 + 1 + 4 = 11 bytes with items sized 4.
    expect(splitIntoBatches(['aaaa', 'bbbb'], 11, size).batches).toEqual([['aaaa', 'bbbb']]);
    expect(splitIntoBatches(['aaaa', 'bbbb'], 10, size).batches).toEqual([['aaaa'], ['bbbb']]);
  });

  it('splits greedily in order and never exceeds the limit', () => {
    const items = Array.from({ length: 20 }, (_, i) => 'x'.repeat((i % 5) + 1));
    const { batches, oversized } = splitIntoBatches(items, 12, size);
    expect(oversized).toEqual([]);
    expect(batches.flat()).toEqual(items);
    for (const batch of batches) expect(2 + batch.reduce((n, s) => n + s.length, 0) + batch.length - 1).toBeLessThanOrEqual(12);
  });

  it('sets aside an item that no batch can carry and keeps the rest in order', () => {
    const { batches, oversized } = splitIntoBatches(['a', 'x'.repeat(20), 'b'], 10, size);
    expect(batches).toEqual([['a', 'b']]);
    expect(oversized).toEqual([{ item: 'x'.repeat(20), bytes: 20 }]);
  });

  it('gives no batches for no items', () => {
    expect(splitIntoBatches([], 10, size)).toEqual({ batches: [], oversized: [] });
  });
});
