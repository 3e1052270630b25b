import { BadRequestError } from '../../../shared/errors';
import type { EndpointRecord } from '../../../adapters/local/workspace/endpointRecord';
import { validateMirrorTraffic, validateTraffic } from '../../../adapters/local/workspace/validateTraffic';

const endpoint = (overrides: Partial<EndpointRecord> = {}): EndpointRecord => ({
  name: 'default-prod',
  environment: 'prod',
  createdAt: '2024-01-01T00:00:00Z',
  traffic: {},
  mirrorTraffic: {},
  deployments: ['blue', 'green', 'broken'].map((name) => ({
    name,
    model: { name: 'm', version: 1 },
    specPath: '/x.yaml',
    tags: {},
    state: name === 'broken' ? ('failed' as const) : ('succeeded' as const),
    error: name === 'broken' ? 'init failed: boom' : undefined,
    createdAt: '2024-01-01T00:00:00Z',
  })),
  ...overrides,
});

describe('validateTraffic', () => {
  it('accepts splits summing to 100 and all-zero traffic', () => {
    expect(() => validateTraffic(endpoint(), { blue: 90, green: 10 })).not.toThrow();
    expect(() => validateTraffic(endpoint(), { blue: 0 })).not.toThrow();
    expect(() => validateTraffic(endpoint(), {})).not.toThrow();
  });

  it('names the sum, the unknown deployment, the bad percent and the failed deployment', () => {
    expect(() => validateTraffic(endpoint(), { blue: 50, green: 20 })).toThrow(/must sum to 100 \(or be all zero\), got 70/);
    expect(() => validateTraffic(endpoint(), { red: 100 })).toThrow(
      /'red' does not exist on endpoint 'default-prod' \(deployments: blue, green, broken\)/,
    );
    expect(() => validateTraffic(endpoint(), { blue: 99.5, green: 0.5 })).toThrow(/whole percent 0\.\.100, got 99\.5/);
    expect(() => validateTraffic(endpoint(), { broken: 100 })).toThrow(/'broken' failed \(init failed: boom\)/);
    expect(() => validateTraffic(endpoint(), { red: 100 })).toThrow(BadRequestError);
  });

  it('refuses live traffic to a deployment that receives mirror traffic', () => {
    expect(() => validateTraffic(endpoint({ mirrorTraffic: { green: 10 } }), { blue: 50, green: 50 })).toThrow(/receives mirror traffic/);
  });
});

describe('validateMirrorTraffic', () => {
  it('allows one shadow deployment up to 50 percent that has no live traffic', () => {
    expect(() => validateMirrorTraffic(endpoint({ traffic: { blue: 100 } }), { green: 50 })).not.toThrow();
    expect(() => validateMirrorTraffic(endpoint(), { green: 51 })).toThrow(/0\.\.50, got 51/);
    expect(() => validateMirrorTraffic(endpoint(), { green: 10, blue: 10 })).toThrow(/one deployment only/);
    expect(() => validateMirrorTraffic(endpoint({ traffic: { blue: 100 } }), { blue: 10 })).toThrow(/receives live traffic/);
  });
});
