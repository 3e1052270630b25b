import { endpointName, endpointOwner, ENVIRONMENTS } from '../../../shared/config/schema';

describe('endpointOwner', () => {
  test('finds the pipeline and environment of every endpoint name the service gives, including pipelines with dashes', () => {
    for (const pipeline of ['default', 'churn-eu', 'a-prod']) {
      for (const environment of ENVIRONMENTS) expect(endpointOwner(endpointName(pipeline, environment))).toEqual({ pipeline, environment });
    }
  });

  test('answers undefined for endpoints the service did not name (e.g. an evaluation endpoint or a hand-made one)', () => {
    expect(endpointOwner('autopilot-eval-1a2b3c4d')).toBeUndefined();
    expect(endpointOwner('prod')).toBeUndefined();
    expect(endpointOwner('churn-production')).toBeUndefined();
  });
});
