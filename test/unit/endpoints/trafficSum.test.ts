import { checkTrafficSum } from '../../../shared/endpoints/trafficSum';
import { BadRequestError } from '../../../shared/errors';

describe('checkTrafficSum', () => {
  it('accepts percents summing to 100, all zero, or none', () => {
    expect(() => checkTrafficSum('ep', { blue: 90, green: 10 })).not.toThrow();
    expect(() => checkTrafficSum('ep', { blue: 0, green: 0 })).not.toThrow();
    expect(() => checkTrafficSum('ep', {})).not.toThrow();
  });

  it('refuses any other sum, naming the endpoint, the sum and the split', () => {
    expect(() => checkTrafficSum('ep', { blue: 50, green: 20 })).toThrow(BadRequestError);
    expect(() => checkTrafficSum('ep', { blue: 50, green: 20 })).toThrow(
      `traffic of endpoint 'ep' must sum to 100 (or be all zero), got 70: {"blue":50,"green":20}`,
    );
    expect(() => checkTrafficSum('ep', { blue: 100, green: 1 })).toThrow(/got 101/);
  });
});
