import { splitHoldout, toCsv, toScoreRequest } from '../../../shared/data/split';
import { validateCsv } from '../../../shared/data/validateCsv';
import { DataValidationError } from '../../../shared/errors';

const opts = { labelColumn: 'label', minRows: 2 };
const check = (text: string | Buffer) => () => validateCsv(Buffer.from(text), 'training-data/default/x.csv', opts);

describe('validateCsv', () => {
  it('accepts a CSV with a BOM and quoted fields', () => {
    const data = validateCsv(Buffer.from('\uFEFFa,"b, c",label\n1,"x, y",yes\n2,z,no\n'), 'f', opts);
    expect(data.columns).toEqual(['a', 'b, c', 'label']);
    expect(data.classes).toEqual(['no', 'yes']);
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
  ])('refuses %j with a reason', (text, reason) => {
    expect(check(text)).toThrow(DataValidationError);
    expect(check(text)).toThrow(reason);
  });
});

describe('splitHoldout', () => {
  const rows = Array.from({ length: 100 }, (_, i) => [String(i), i % 4 === 0 ? 'yes' : 'no']);
  const data = { columns: ['a', 'label'], rows, labelIndex: 1, classes: ['no', 'yes'] };

  it('is reproducible for a seed and stratified by class', () => {
    const a = splitHoldout(data, 0.2, 42);
    expect(splitHoldout(data, 0.2, 42)).toEqual(a);
    expect(splitHoldout(data, 0.2, 7)).not.toEqual(a);
    expect(a.holdout).toHaveLength(20);
    expect(a.holdout.filter((r) => r[1] === 'yes')).toHaveLength(5);
    expect(a.train.length + a.holdout.length).toBe(100);
  });
});

describe('toCsv and toScoreRequest', () => {
  it('quotes what needs quoting', () => {
    expect(toCsv(['a', 'b'], [['1,2', 'say "hi"']])).toBe('a,b\n"1,2","say ""hi"""\n');
  });

  it('sends numbers as numbers, empty cells as null and drops the label', () => {
    expect(toScoreRequest(['x', 'c', 'label'], [['1.5', 'red', 'yes'], ['', 'blue', 'no']], 2)).toEqual({
      input_data: { columns: ['x', 'c'], data: [[1.5, 'red'], [null, 'blue']] },
    });
  });
});
