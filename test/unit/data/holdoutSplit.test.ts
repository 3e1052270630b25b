import { parse } from 'csv-parse/sync';
import { CsvScanner } from '../../../shared/data/csvScan';
import { HoldoutSplitter, planSplit } from '../../../shared/data/holdoutSplit';
import { featureOrder, hashKey, rowHash, splitPoint } from '../../../shared/data/rowHash';

const blob = 'training-data/default/x.csv';

function split(text: string, fraction: number, seed: number, size = 13, nonFinite: 'reject' | 'missing' = 'reject') {
  const bytes = Buffer.from(text);
  const scanner = new CsvScanner({ blob, labelColumn: 'label', nonFinite, seed });
  for (let at = 0; at < bytes.length; at += size) scanner.push(bytes.subarray(at, at + size));
  const plan = planSplit(scanner.end(), blob, fraction);
  const splitter = new HoldoutSplitter(plan);
  let train = '';
  let holdout = '';
  const hashes: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    const piece = splitter.push(bytes.subarray(at, at + size));
    train += piece.train;
    holdout += piece.holdout;
    hashes.push(Buffer.from(piece.trainHashes));
  }
  const { piece, counts } = splitter.end();
  hashes.push(Buffer.from(piece.trainHashes));
  return { train: train + piece.train, holdout: holdout + piece.holdout, counts, trainHashes: Buffer.concat(hashes), plan };
}

const records = (csv: string) => parse(csv) as string[][];
const data =
  'a,label\n' + Array.from({ length: 100 }, (_, i) => `${i},${i % 4 === 0 ? 'yes' : i === 1 || i === 2 ? 'rare' : 'no'}`).join('\n') + '\n';
const count = (rows: string[][], label: string) => rows.filter((r) => r[1] === label).length;
/** A deterministic shuffle (the order a second upload may have). */
const shuffled = <T>(items: T[], seed: number) =>
  items
    .map((v, i) => ({ v, k: Math.sin(i * 91.7 + seed) }))
    .sort((a, b) => a.k - b.k)
    .map((e) => e.v);

describe('HoldoutSplitter', () => {
  it('is reproducible for a seed, whatever the chunk size, and differs for another seed', () => {
    const a = split(data, 0.2, 42);
    expect(split(data, 0.2, 42, 1)).toEqual(a);
    expect(split(data, 0.2, 42, 4096)).toEqual(a);
    expect(split(data, 0.2, 7).holdout).not.toEqual(a.holdout);
  });

  it('holds out about the fraction, a row of each class on each side, and loses no row', () => {
    const { train, holdout, counts, trainHashes } = split(data, 0.2, 42);
    const [trainHeader, ...trainRows] = records(train);
    const [holdoutHeader, ...holdoutRows] = records(holdout);
    expect(trainHeader).toEqual(['a', 'label']);
    expect(holdoutHeader).toEqual(['a', 'label']);
    for (const label of ['yes', 'rare', 'no']) {
      expect(count(holdoutRows, label)).toBeGreaterThanOrEqual(1);
      expect(count(trainRows, label)).toBeGreaterThanOrEqual(1);
    }
    expect(counts.holdoutRows).toBeGreaterThan(10);
    expect(counts.holdoutRows).toBeLessThan(32);
    expect(counts).toEqual({ trainRows: trainRows.length, holdoutRows: holdoutRows.length });
    const all = [...trainRows, ...holdoutRows].map((r) => Number(r[0])).sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // 8 bytes per training row, in file order: the hashes of exactly the training rows.
    const features = featureOrder(['a', 'label'], 1);
    expect(trainHashes.toString('hex')).toBe(trainRows.map((r) => hashKey(rowHash(r, features))).join(''));
  });

  it('puts a row on the same side in any file that holds it: reordered, with other rows, or repeated', () => {
    const lines = data.trimEnd().split('\n').slice(1);
    const first = split(data, 0.2, 42);
    const side = new Map(
      records(first.holdout)
        .slice(1)
        .map((r) => [r[0], 'holdout'] as const),
    );
    for (const r of records(first.train).slice(1)) side.set(r[0], 'train' as never);
    // Shuffled, some rows twice, and 50 new rows: a snapshot that includes older rows.
    const more = Array.from({ length: 50 }, (_, i) => `${1000 + i},${i % 3 ? 'no' : 'yes'}`);
    const second = split('a,label\n' + shuffled([...lines, ...lines.slice(0, 30), ...more], 3).join('\n') + '\n', 0.2, 42);
    const twice = new Map<string, Set<string>>();
    for (const [rows, name] of [
      [records(second.holdout).slice(1), 'holdout'],
      [records(second.train).slice(1), 'train'],
    ] as const) {
      for (const r of rows) {
        if (Number(r[0]) < 1000) expect([r[0], side.get(r[0])]).toEqual([r[0], name]);
        twice.set(r[0]!, (twice.get(r[0]!) ?? new Set()).add(name));
      }
    }
    expect([...twice.values()].every((sides) => sides.size === 1)).toBe(true);
  });

  it('moves one row of a class that would have no held-out row, or no training row, and records its reason in the plan', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i},${i < 3 ? 'few' : 'many'}`);
    const text = 'a,label\n' + rows.join('\n') + '\n';
    // At fraction 0.001 no row falls below by chance: each class gives the holdout its lowest row.
    const low = split(text, 0.001, 42);
    expect(low.plan.forceHoldout).toHaveLength(2);
    expect([count(records(low.holdout), 'few'), count(records(low.holdout), 'many')]).toEqual([1, 1]);
    // At 0.999 every row does: each class keeps its highest row for training.
    const high = split(text, 0.999, 42);
    expect(high.plan.forceTrain).toHaveLength(2);
    expect([count(records(high.train), 'few'), count(records(high.train), 'many')]).toEqual([1, 1]);
  });

  it('refuses a class whose rows are one row repeated: it cannot have a row on each side', () => {
    const text = 'a,b,label\n' + Array.from({ length: 30 }, (_, i) => (i < 3 ? '5,x,odd' : `${i},y,even`)).join('\n') + '\n';
    expect(() => split(text, 0.2, 42)).toThrow("the 3 rows of class 'odd' of 'label' are one row repeated (the same features)");
  });

  it("refuses a split where a class's only training row went to the holdout with the same features in another class", () => {
    // 'b' = {X, W}: when 'a' = {X, Y} gives the holdout X and W is below the fraction, 'b' keeps no training row.
    const features = featureOrder(['a', 'label'], 1);
    const point = (v: string) => splitPoint(rowHash([v, ''], features), 42);
    const candidates = Array.from({ length: 400 }, (_, i) => String(i + 0.5));
    const [x, y] = candidates.filter((v) => point(v) >= 0.2).sort((p, q) => point(p) - point(q));
    const w = candidates.find((v) => point(v) < 0.2)!;
    const text = `a,label\n${x},a\n${y},a\n${x},b\n${w},b\n` + Array.from({ length: 20 }, (_, i) => `${1000 + i},c`).join('\n') + '\n';
    expect(() => split(text, 0.2, 42)).toThrow(
      "class 'b' of 'label' was left without a training row: its rows have the same features as rows of other classes",
    );
  });

  it('writes NaN and Infinity of numeric columns as empty cells when data.nonFinite is missing', () => {
    const text =
      'x,label\n' + Array.from({ length: 20 }, (_, i) => `${i === 3 ? 'NaN' : i === 4 ? '-Infinity' : i},${i % 2}`).join('\n') + '\n';
    const { train, holdout } = split(text, 0.2, 1, 13, 'missing');
    const rows = [...records(train).slice(1), ...records(holdout).slice(1)];
    expect(rows.filter((r) => r[0] === '')).toHaveLength(2);
    expect(rows.some((r) => /nan|inf/i.test(r[0]!))).toBe(false);
  });

  it('refuses a second pass over different data than the first', () => {
    const scanner = new CsvScanner({ blob, labelColumn: 'label', seed: 42 });
    scanner.push(Buffer.from(data));
    const splitter = new HoldoutSplitter(planSplit(scanner.end(), blob, 0.2));
    const secondPass = () => {
      splitter.push(Buffer.from('a,label\n1,maybe\n'));
      splitter.end();
    };
    expect(secondPass).toThrow('the file changed while it was read; upload it again');
  });
});
