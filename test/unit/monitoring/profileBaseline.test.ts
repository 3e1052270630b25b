import { BaselineProfile, profileBaseline, type CategoricalProfile, type NumericProfile } from '../../../shared/monitoring/stats';

describe('profileBaseline', () => {
  test('profileBaseline infers numeric columns like the trainer: every non-empty cell a plain decimal', async () => {
    const profile = await profileBaseline(
      ['a', 'b', 'c'],
      [
        ['1', '1', 'x'],
        ['', '0x1A', '2'],
        ['2.5e1', '3', ''],
      ],
    );
    expect(profile.features.map((f) => f.type)).toEqual(['numeric', 'categorical', 'categorical']);
    const a = profile.features[0] as NumericProfile;
    expect([a.min, a.max, a.missingRate]).toEqual([1, 25, 1 / 3]);
    expect(a.mean).toBeCloseTo(13, 12);
  });

  test('profileBaseline reads an async iterable of objects and keeps the prediction apart as categorical', async () => {
    async function* rows() {
      for (let i = 0; i < 300; i++) yield { x: i, label: i % 3, id: `r${i}` };
    }
    const profile = await profileBaseline(['id', 'x', 'label'], rows(), { prediction: 'label', exclude: ['id'] });
    expect(profile.features.map((f) => f.name)).toEqual(['x']);
    expect(profile.prediction?.type).toBe('categorical');
    expect((profile.prediction as CategoricalProfile).categories).toEqual([
      { value: '0', count: 100 },
      { value: '1', count: 100 },
      { value: '2', count: 100 },
    ]);
    expect(profile.rows).toBe(300);
  });

  test('profileBaseline keeps the top categories and pools the rest into __other__', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => [i < 500 ? 'common' : `rare${i % 150}`]);
    const profile = await profileBaseline(['c'], rows, { maxCategories: 10 });
    const c = profile.features[0] as CategoricalProfile;
    expect(c.categories).toHaveLength(10);
    expect(c.categories[0]).toEqual({ value: 'common', count: 500 });
    expect(c.otherCount).toBe(1000 - c.categories.reduce((a, x) => a + x.count, 0));
  });

  test('profileBaseline output is JSON that validates against BaselineProfile after a round trip', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [Math.sin(i) * 100, i % 7 === 0 ? 'a' : 'b']);
    const profile = await profileBaseline(['x', 'y'], rows);
    const x = profile.features[0] as NumericProfile;
    expect(x.exact).toBe(false);
    expect(x.binCounts.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(x.binCounts[0]).toBe(0);
    expect(x.binCounts.at(-1)).toBe(0);
    expect(BaselineProfile.parse(JSON.parse(JSON.stringify(profile)))).toEqual(profile);
  });
});
