import { wholeNumberParam } from '../../../functions/http/queryParams';

describe('wholeNumberParam', () => {
  const limit = wholeNumberParam(1, 500, 50);
  it.each(['', '-1', '0', '1.5', '1e2', '0x10', ' 5', '5 ', '+5', '501', '99999999999999999999', 'NaN', 'Infinity'])(
    'refuses %p with the allowed range',
    (value) => {
      const result = limit.safeParse(value);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe('must be a whole number from 1 to 500');
    },
  );
  it('takes digits in range, and the default when absent', () => {
    expect(limit.parse('1')).toBe(1);
    expect(limit.parse('500')).toBe(500);
    expect(limit.parse('007')).toBe(7);
    expect(limit.parse(undefined)).toBe(50);
  });
});
