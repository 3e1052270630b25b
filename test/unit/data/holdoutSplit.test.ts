import { parse } from 'csv-parse/sync';
import { CsvScanner } from '../../../shared/data/csvScan';
import { HoldoutSplitter, planSplit } from '../../../shared/data/holdoutSplit';

const blob = 'training-data/default/x.csv';

function split(text: string, fraction: number, seed: number, size = 13, nonFinite: 'reject' | 'missing' = 'reject') {
  const bytes = Buffer.from(text);
  const scanner = new CsvScanner({ blob, labelColumn: 'label', nonFinite });
  for (let at = 0; at < bytes.length; at += size) scanner.push(bytes.subarray(at, at + size));
  const splitter = new HoldoutSplitter(planSplit(scanner.end(), blob, fraction, seed));
  let train = '';
  let holdout = '';
  for (let at = 0; at < bytes.length; at += size) {
    const piece = splitter.push(bytes.subarray(at, at + size));
    train += piece.train;
    holdout += piece.holdout;
  }
  const { piece, counts } = splitter.end();
  return { train: train + piece.train, holdout: holdout + piece.holdout, counts };
}

const records = (csv: string) => parse(csv) as string[][];
const data = 'a,label\n' + Array.from({ length: 100 }, (_, i) => `${i},${i % 4 === 0 ? 'yes' : i === 1 || i === 2 ? 'rare' : 'no'}`).join('\n') + '\n';

describe('HoldoutSplitter', () => {
  it('is reproducible for a seed, whatever the chunk size, and differs for another seed', () => {
    const a = split(data, 0.2, 42);
    expect(split(data, 0.2, 42, 1)).toEqual(a);
    expect(split(data, 0.2, 42, 4096)).toEqual(a);
    expect(split(data, 0.2, 7).holdout).not.toEqual(a.holdout);
  });

  it('holds out round(n × fraction) rows of each class, at least one each side, and loses no row', () => {
    const { train, holdout, counts } = split(data, 0.2, 42);
    const [trainHeader, ...trainRows] = records(train);
    const [holdoutHeader, ...holdoutRows] = records(holdout);
    expect(trainHeader).toEqual(['a', 'label']);
    expect(holdoutHeader).toEqual(['a', 'label']);
    const count = (rows: string[][], label: string) => rows.filter((r) => r[1] === label).length;
    // yes: 25 rows → 5; rare: 2 rows → 1 (never 0, never 2); no: 73 rows → 15.
    expect([count(holdoutRows, 'yes'), count(holdoutRows, 'rare'), count(holdoutRows, 'no')]).toEqual([5, 1, 15]);
    expect(count(trainRows, 'rare')).toBe(1);
    expect(counts).toEqual({ trainRows: 79, holdoutRows: 21 });
    // Every row lands on exactly one side, in file order.
    const all = [...trainRows, ...holdoutRows].map((r) => Number(r[0])).sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('writes NaN and Infinity of numeric columns as empty cells when data.nonFinite is missing', () => {
    const text = 'x,label\n' + Array.from({ length: 20 }, (_, i) => `${i === 3 ? 'NaN' : i === 4 ? '-Infinity' : i},${i % 2}`).join('\n') + '\n';
    const { train, holdout } = split(text, 0.2, 1, 13, 'missing');
    const rows = [...records(train).slice(1), ...records(holdout).slice(1)];
    expect(rows.filter((r) => r[0] === '')).toHaveLength(2);
    expect(rows.some((r) => /nan|inf/i.test(r[0]!))).toBe(false);
  });

  it('refuses a second pass over different data than the first', () => {
    const scanner = new CsvScanner({ blob, labelColumn: 'label' });
    scanner.push(Buffer.from(data));
    const splitter = new HoldoutSplitter(planSplit(scanner.end(), blob, 0.2, 42));
    const secondPass = () => {
      splitter.push(Buffer.from('a,label\n1,maybe\n'));
      splitter.end();
    };
    expect(secondPass).toThrow('the file changed while it was read; upload it again');
  });
});
