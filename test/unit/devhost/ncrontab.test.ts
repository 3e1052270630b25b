import { NcrontabError, parseNcrontab } from '../../../devhost/ncrontab';

const at = (iso: string) => new Date(iso);
const next = (expression: string, after: string) => parseNcrontab(expression).next(at(after)).toISOString();

describe('parseNcrontab', () => {
  it('fires every five minutes on the minute for 0 */5 * * * *', () => {
    expect(next('0 */5 * * * *', '2024-03-01T10:02:30Z')).toBe('2024-03-01T10:05:00.000Z');
    expect(next('0 */5 * * * *', '2024-03-01T10:05:00Z')).toBe('2024-03-01T10:10:00.000Z');
  });

  it('supports seconds, lists and ranges', () => {
    expect(next('*/15 * * * * *', '2024-03-01T10:00:14Z')).toBe('2024-03-01T10:00:15.000Z');
    expect(next('0 0 9,17 * * *', '2024-03-01T09:00:00Z')).toBe('2024-03-01T17:00:00.000Z');
    expect(next('0 30 9-11 * * *', '2024-03-01T11:31:00Z')).toBe('2024-03-02T09:30:00.000Z');
    expect(next('10-40/10 * * * * *', '2024-03-01T10:00:31Z')).toBe('2024-03-01T10:00:40.000Z');
  });

  it('handles weekdays, month names and year boundaries', () => {
    // 2024-03-02 is a Saturday; the next weekday 09:00 is Monday the 4th.
    expect(next('0 0 9 * * 1-5', '2024-03-01T10:00:00Z')).toBe('2024-03-04T09:00:00.000Z');
    expect(next('0 0 9 * * Mon', '2024-03-01T10:00:00Z')).toBe('2024-03-04T09:00:00.000Z');
    expect(next('0 0 0 1 Jan *', '2024-03-01T00:00:00Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(next('0 0 0 29 2 *', '2024-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
  });

  it('rejects five-field Unix cron and out-of-range values with a hint', () => {
    expect(() => parseNcrontab('*/5 * * * *')).toThrow(NcrontabError);
    expect(() => parseNcrontab('*/5 * * * *')).toThrow(/six fields/);
    expect(() => parseNcrontab('0 61 * * * *')).toThrow(/minute 61 is outside 0-59/);
    expect(() => parseNcrontab('0 * * * * */0')).toThrow(/step/);
  });
});
