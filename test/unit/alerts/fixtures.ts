import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { armEndpointId } from '../../../adapters/local/workspace/endpointRecord';
import type { EnvironmentName } from '../../../shared/config/schema';
import type { EndpointInfo } from '../../../shared/ports';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'alerts');

/** A fresh copy of a fixture from test/fixtures/alerts (see its README for sources). */
export function alertFixture<T = Record<string, any>>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

/** An endpoint as the local workspace lists it, with its ARM-style id. */
export function endpoint(name: string, environment: EnvironmentName, deployments: string[] = ['blue']): EndpointInfo {
  return {
    name,
    environment,
    scoringUri: `http://127.0.0.1:7072/endpoints/${name}/score`,
    traffic: Object.fromEntries(deployments.map((d, i) => [d, i === 0 ? 100 : 0])),
    mirrorTraffic: {},
    deployments: deployments.map((d) => ({
      name: d,
      endpoint: name,
      model: { name: 'default', version: 1 },
      state: 'succeeded',
      createdAt: '2026-01-01T00:00:00.000Z',
    })),
    id: armEndpointId(environment, name),
  };
}
