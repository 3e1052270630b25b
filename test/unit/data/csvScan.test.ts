import { CsvScanner, type ScanOptions } from '../../../shared/data/csvScan';
import { toCsv, toScoreRequest } from '../../../shared/data/split';
import { DataValidationError } from '../../../shared/errors';

const opts: ScanOptions = { blob: 'training-data/default/x.csv', labelColumn: 'label', minRows: 2 };

/** Feeds the scanner in pieces of `size` bytes, as a network stream would. */
function scan(text: string | Buffer, options: Partial<ScanOptions> = {}, size = 7) {
  const bytes = Buffer.from(text);
  const scanner = new CsvScanner({ ...opts, ...options });
  for (let at = 0; at < bytes.length; at += size) scanner.push(bytes.subarray(at, at + size));
  return scanner.end();
}

const rows = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => row(i)).join('\n') + '\n';

describe('CsvScanner', () => {
  it('accepts a CSV with a BOM and quoted fields, whatever the chunk boundaries', () => {
    const text = '\uFEFFa,"b, c",label\n1,"x, y",yes\n2,z,no\n3,"q\nr",no\n4,w,yes\n';
    const whole = scan(text, {}, 1 << 20);
    expect(whole.columns).toEqual(['a', 'b, c', 'label']);
    expect(whole.classCounts).toEqual([
      ['no', 2],
      ['yes', 2],
    ]);
    expect(whole.rows).toBe(4);
    for (const size of [1, 2, 3, 5, 11]) expect(scan(text, {}, size)).toEqual(whole);
  });

  it.each([
    ['', /the file is empty/],
    ['a,b\n1,2\n3,4\n', /no label column 'label' \(columns: a, b\)/],
    ['a,label\n1,yes\n2,no,7\n', /malformed CSV: .*line 3/],
    ['a,label\n1,yes\n', /1 data rows; the pipeline needs at least 2/],
    ['a,label\n1,yes\n2,yes\n', /single class \(yes\)/],
    ['a,label\n1,yes\n2,\n3,no\n', /1 rows have an empty 'label', the first at data row 2/],
    ['a,a,label\n1,2,yes\n', /column 'a' appears twice/],
    [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]), /not a CSV text file/],
    ['\n\n', /the file has no header row/],
  ])('refuses %j with a reason', (text, reason) => {
    expect(() => scan(text)).toThrow(DataValidationError);
    expect(() => scan(text)).toThrow(reason);
  });

  it('refuses binary content found in the first 8 KiB of a large file before parsing it', () => {
    const text = Buffer.concat([Buffer.from('a,label\n'), Buffer.alloc(9000, 0)]);
    expect(() => scan(text, {}, 4096)).toThrow(/not a CSV text file/);
  });

  it('counts NaN and Infinity per numeric column and refuses them by default, saying how to fix it', () => {
    const text =
      'x,y,color,label\n' +
      rows(40, (i) => {
        const x = i === 2 || i === 9 ? 'NaN' : i === 4 ? 'Infinity' : i === 30 ? '-inf' : String(i);
        const y = i === 7 ? 'inf' : `${i / 10}`;
        const color = i === 1 ? 'NaN' : 'red'; // text column: "NaN" is a category there
        return `${x},${y},${color},${i % 2 ? 'yes' : 'no'}`;
      });
    expect(() => scan(text)).toThrow(DataValidationError);
    expect(() => scan(text)).toThrow(
      "non-finite numbers in numeric columns: 'x' (NaN 2, Infinity 1, -Infinity 1; first at data row 3), " +
        "'y' (Infinity 1; first at data row 8); replace them with real values or empty cells, or set data.nonFinite: missing",
    );
    const profile = scan(text, { nonFinite: 'missing' });
    expect(profile.nonFinite).toEqual([
      { column: 'x', NaN: 2, Infinity: 1, '-Infinity': 1, firstRow: 3 },
      { column: 'y', NaN: 0, Infinity: 1, '-Infinity': 0, firstRow: 8 },
    ]);
  });

  it('refuses a label column with one class per row (an id, not a class)', () => {
    const text = 'x,label\n' + rows(60, (i) => `${i % 7},${i}`);
    expect(() => scan(text)).toThrow(
      "'label' has 60 distinct values in 60 rows (every row its own class); a classifier needs several rows per class",
    );
  });

  it('refuses a label column with more than 20 classes covering most rows', () => {
    const text = 'x,label\n' + rows(60, (i) => `${i},c${Math.floor(i / 2) + (i === 59 ? 1 : 0)}`);
    expect(() => scan(text)).toThrow(/'label' has 31 distinct values in 60 rows; a classifier needs several rows per class/);
    // 20 classes of 3 rows each is a fine 20-class problem.
    expect(scan('x,label\n' + rows(60, (i) => `${i},c${i % 20}`)).classCounts).toHaveLength(20);
  });

  it('refuses a numeric label that is a measurement, pointing to task: regression', () => {
    // The shape of scikit-learn's diabetes data: 214 distinct integer targets in 442 rows.
    const integers = 'x,label\n' + rows(442, (i) => `${i},${25 + ((i * 7) % 214)}`);
    expect(() => scan(integers)).toThrow(
      "'label' holds numbers with 214 distinct values in 442 rows (from 25 to 238): that is a continuous target, not classes; " +
        'set `task: regression` on this pipeline in autopilot.yaml',
    );
    // Fractions are no class ids, even when each value has many rows.
    const fractions = 'x,label\n' + rows(420, (i) => `${i},${(i % 21) + 0.5}`);
    expect(() => scan(fractions)).toThrow(/21 distinct values in 420 rows \(from 0\.5 to 20\.5, 21 of them fractions such as 0\.5\)/);
    // Numeric class ids with many rows each stay classes: 30 classes of 20 rows, and 0/1.
    expect(scan('x,label\n' + rows(600, (i) => `${i},${i % 30}`)).classCounts).toHaveLength(30);
    expect(scan('x,label\n' + rows(60, (i) => `${i},${i % 2}`)).classCounts).toHaveLength(2);
  });

  it('still sees a measurement when a few rows are not numbers (a missing value spelled NA)', () => {
    const withNa = 'x,label\n' + rows(442, (i) => `${i},${i % 100 === 3 ? 'NA' : 25 + ((i * 7) % 214)}`);
    expect(() => scan(withNa)).toThrow(
      /'label' holds numbers with 21\d distinct values in 442 rows \(from 25 to 238\), and 5 rows that are not numbers such as 'NA': that is a continuous target/,
    );
    // Labels of which many rows are words stay classes, whatever the numbers among them.
    const words = 'x,label\n' + rows(600, (i) => `${i},${i < 300 ? `c${i % 10}` : (i % 25) + 0.5}`);
    expect(scan(words).classCounts).toHaveLength(35);
  });

  it('refuses classes too rare for the holdout, naming them with their counts', () => {
    const text = 'x,label\n' + rows(60, (i) => `${i},${i === 5 ? 'maybe' : i === 9 ? 'perhaps' : i % 2 ? 'yes' : 'no'}`);
    expect(() => scan(text)).toThrow(
      "2 classes of 'label' have fewer than 2 rows: 'maybe' (1), 'perhaps' (1); " +
        'the holdout needs one row of each class and training another: add rows of these classes, or remove or merge them',
    );
  });

  it('gives the same sha256 as hashing the whole file', () => {
    const text = 'x,label\n' + rows(30, (i) => `${i},${i % 3}`);
    const { createHash } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    expect(scan(text).sha256).toBe(createHash('sha256').update(text).digest('hex'));
  });
});

describe('toCsv and toScoreRequest', () => {
  it('quotes what needs quoting', () => {
    expect(toCsv(['a', 'b'], [['1,2', 'say "hi"']])).toBe('a,b\n"1,2","say ""hi"""\n');
  });

  it('sends numbers as numbers, empty cells as null and drops the label', () => {
    expect(
      toScoreRequest(
        ['x', 'c', 'label'],
        [
          ['1.5', 'red', 'yes'],
          ['', 'blue', 'no'],
        ],
        2,
      ),
    ).toEqual({
      input_data: {
        columns: ['x', 'c'],
        data: [
          [1.5, 'red'],
          [null, 'blue'],
        ],
      },
    });
  });
});
