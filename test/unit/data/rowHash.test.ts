import { featureOrder, hashKey, isCanonicalNumber, rowHash, splitPoint } from '../../../shared/data/rowHash';
import { matchTrainingRows, trainingRowsHeader } from '../../../shared/data/trainingRows';

const key = (columns: string[], row: string[], label = columns.indexOf('label')) => hashKey(rowHash(row, featureOrder(columns, label)));

describe('rowHash', () => {
  it('identifies a row by its feature values: number formatting, column order and the label do not matter', () => {
    const a = key(['x', 'color', 'label'], ['1.50', 'red', 'yes']);
    expect(key(['x', 'color', 'label'], ['1.5', 'red', 'no'])).toBe(a);
    expect(key(['color', 'label', 'x'], ['red', 'yes', '15e-1'])).toBe(a);
    expect(key(['x', 'color', 'label'], ['1.51', 'red', 'yes'])).not.toBe(a);
    expect(key(['x', 'color', 'label'], ['1.5', 'Red', 'yes'])).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('reads NaN and Infinity as missing (what data.nonFinite: missing writes) and keeps cell boundaries', () => {
    expect(key(['x', 'label'], ['NaN', '1'])).toBe(key(['x', 'label'], ['', '1']));
    expect(key(['x', 'label'], ['-inf', '1'])).toBe(key(['x', 'label'], ['', '1']));
    expect(key(['a', 'b', 'label'], ['ab', '', '1'])).not.toBe(key(['a', 'b', 'label'], ['a', 'b', '1']));
    expect(key(['a', 'b', 'label'], ['x', '', '1'])).not.toBe(key(['a', 'b', 'label'], ['', 'x', '1']));
  });

  it('takes a cell for its own canonical number only when String(Number(cell)) is the cell', () => {
    const cells = [
      '0',
      '-0',
      '7',
      '-12',
      '045',
      '+5',
      '1.5',
      '1.50',
      '-0.25',
      '0.000001',
      '0.0000001',
      '1.',
      '.5',
      '1e3',
      '123456789012345',
      '1234567890123456',
      '0.1',
      '99.99',
      '1,5',
      ' 1',
      'abc',
      '',
      '12345678.1234567',
      '-0.0',
    ];
    for (let i = 0; i < 5000; i++) {
      const digits = Math.floor(Math.abs(Math.sin(i * 3.1)) * 1e9) + '';
      const cut = i % digits.length;
      cells.push(
        `${i % 3 ? '' : '-'}${digits.slice(0, cut) || '0'}.${digits.slice(cut)}`,
        digits.slice(i % 4),
        `0.${'0'.repeat(i % 9)}${digits}`,
      );
    }
    const wrong = cells.filter((cell) => isCanonicalNumber(cell) && String(Number(cell)) !== cell);
    expect(wrong).toEqual([]);
    // The fast path is taken where it matters: plain numbers as data files write them.
    expect(['0', '7', '-12', '1.5', '-0.25', '0.000001', '99.99', '123456789012345'].every(isCanonicalNumber)).toBe(true);
    expect(['-0', '045', '+5', '1.50', '0.0000001', '1.', '.5', '1e3', '1234567890123456', '-0.0'].some(isCanonicalNumber)).toBe(false);
  });

  it('gives 10,000 distinct rows 10,000 distinct hashes and split points spread evenly over [0, 1)', () => {
    const features = featureOrder(['x', 'label'], 1);
    const hashes = Array.from({ length: 10_000 }, (_, i) => rowHash([String(i), ''], features));
    expect(new Set(hashes.map(hashKey)).size).toBe(10_000);
    const points = hashes.map((h) => splitPoint(h, 42));
    const deciles = Array.from({ length: 10 }, (_, d) => points.filter((p) => p >= d / 10 && p < (d + 1) / 10).length);
    // Each decile holds 1,000 ± 4.5 standard deviations (sd 30).
    for (const n of deciles) expect(Math.abs(n - 1000)).toBeLessThan(135);
    // Another seed, another split: about 20% of the rows below 0.2 under seed 42 are below 0.2 under seed 7.
    const both = hashes.filter((h) => splitPoint(h, 42) < 0.2 && splitPoint(h, 7) < 0.2).length;
    expect(both / 2000).toBeGreaterThan(0.14);
    expect(both / 2000).toBeLessThan(0.26);
  });
});

describe('matchTrainingRows', () => {
  const columns = ['x', 'color', 'label'];
  const rows = Array.from({ length: 50 }, (_, i) => [String(i), i % 2 ? 'red' : 'blue', 'yes']);
  const blob = (trained: string[][]) =>
    Buffer.concat([Buffer.from(trainingRowsHeader(columns, 2)), ...trained.map((r) => Buffer.from(key(columns, r), 'hex'))]);
  async function* chunks(bytes: Buffer, size: number) {
    for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
  }
  const ask = (asked: string[][]) => (features: string[]) => {
    expect(features).toEqual(['color', 'x']);
    return new Set(asked.map((r) => key(columns, r)));
  };

  it('finds which asked-for rows a blob holds, whatever the chunking', async () => {
    const bytes = blob(rows.slice(0, 30));
    for (const size of [1, 5, 7, 64 * 1024]) {
      const match = await matchTrainingRows(chunks(bytes, size), ask(rows.slice(25, 40)));
      expect(match).toEqual({
        kind: 'read',
        features: ['color', 'x'],
        rows: 30,
        found: new Set(rows.slice(25, 30).map((r) => key(columns, r))),
      });
    }
  });

  it('says why a blob cannot be read: another format, a cut-off row, or features the asker lacks', async () => {
    await expect(matchTrainingRows(chunks(Buffer.from('x,label\n1,2\n'), 4), ask([]))).resolves.toEqual({
      kind: 'unreadable',
      why: "not a training-rows blob of this version ('x,label')",
    });
    await expect(matchTrainingRows(chunks(blob(rows.slice(0, 3)).subarray(0, -3), 8), ask([]))).resolves.toEqual({
      kind: 'unreadable',
      why: 'truncated (not a whole number of 8-byte rows)',
    });
    await expect(matchTrainingRows(chunks(blob([]), 8), () => ({ cannot: 'no x' }))).resolves.toEqual({ kind: 'unreadable', why: 'no x' });
  });
});
