import { encodeLabels } from '../../../examples/tabular/lib/encodeLabels';
import { encodeRows, InvalidValueError } from '../../../examples/tabular/lib/encodeRows';
import { encodedNames } from '../../../examples/tabular/lib/featureSpec';
import { fitFeatures } from '../../../examples/tabular/lib/fitFeatures';

describe('fitFeatures', () => {
  it('treats a column as numeric when every non-empty cell is a number, otherwise as categorical', () => {
    const spec = fitFeatures(
      ['age', 'plan', 'code'],
      [
        ['30', 'basic', '7'],
        ['', 'pro', '0x1A'],
        [' 50 ', 'basic', '3'],
      ],
    );
    expect(spec.map((f) => f.type)).toEqual(['numeric', 'categorical', 'categorical']);
  });

  it('learns mean and population std from non-empty cells, and uses std 1 for a constant column', () => {
    const [age, flat] = fitFeatures(
      ['age', 'flat'],
      [
        ['10', '5'],
        ['', '5'],
        ['30', '5'],
      ],
    );
    expect(age).toEqual({ name: 'age', type: 'numeric', mean: 20, std: 10 });
    expect(flat).toEqual({ name: 'flat', type: 'numeric', mean: 5, std: 1 });
  });

  it('keeps the most frequent categories, missing as its own category, and leaves the rest to __other__', () => {
    const rows = ['a', 'a', 'a', 'b', 'b', '', '', 'c'].map((v) => [v]);
    const [spec] = fitFeatures(['letter'], rows, { maxCategories: 2 });
    expect(spec).toEqual({ name: 'letter', type: 'categorical', categories: ['__missing__', 'a'] });
    expect(encodedNames([spec!])).toEqual(['letter=__missing__', 'letter=a', 'letter=__other__']);
  });

  it('caps categories at 50 by default', () => {
    const rows = Array.from({ length: 80 }, (_, i) => [`city${i}`]);
    const [spec] = fitFeatures(['city'], rows);
    expect(spec!.type === 'categorical' && spec!.categories.length).toBe(50);
  });
});

describe('encodeRows', () => {
  const spec = fitFeatures(
    ['age', 'plan'],
    [
      ['10', 'basic'],
      ['30', 'pro'],
      ['', 'basic'],
    ],
  );

  it('standardizes numbers and imputes a missing number with the training mean', () => {
    const x = encodeRows(spec, [
      ['30', 'basic'],
      ['', 'pro'],
      [null, 'basic'],
    ]);
    // width: age + plan=basic + plan=pro + plan=__other__
    expect(Array.from(x)).toEqual([1, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
  });

  it('puts a category first seen at scoring time into __other__', () => {
    const x = encodeRows(spec, [[20, 'enterprise']]);
    expect(Array.from(x)).toEqual([0, 0, 0, 1]);
  });

  it('refuses text in a numeric column, naming the row and column', () => {
    expect(() =>
      encodeRows(spec, [
        ['20', 'pro'],
        ['old', 'pro'],
      ]),
    ).toThrow(InvalidValueError);
    expect(() =>
      encodeRows(spec, [
        ['20', 'pro'],
        ['old', 'pro'],
      ]),
    ).toThrow(`row 1, column 'age': expected a number`);
  });
});

describe('encodeLabels', () => {
  it('orders numeric labels numerically and keeps them numbers', () => {
    const { classes, y } = encodeLabels(['10', '2', '1.0', '2', '1']);
    expect(classes).toEqual([1, 2, 10]);
    expect(Array.from(y)).toEqual([2, 1, 0, 1, 0]);
  });

  it('orders text labels lexicographically', () => {
    const { classes, y } = encodeLabels(['stay', 'churn', 'downgrade', 'churn']);
    expect(classes).toEqual(['churn', 'downgrade', 'stay']);
    expect(Array.from(y)).toEqual([2, 0, 1, 0]);
  });
});
