import { actionMatches, isActionAllowed, missingActions, requiredActions, type Permission } from '../../../shared/doctor';
import { AZUREML_DATA_SCIENTIST, MONITORING_READER } from '../../fakes/armMl/doctorRoutes';

const WS = 'Microsoft.MachineLearningServices/workspaces';

describe('actionMatches', () => {
  test('a star matches any run of characters, slashes included, as Azure RBAC does', () => {
    expect(actionMatches('*', `${WS}/jobs/write`)).toBe(true);
    expect(actionMatches('Microsoft.MachineLearningServices/*', `${WS}/onlineEndpoints/listKeys/action`)).toBe(true);
    expect(actionMatches(`${WS}/*/read`, `${WS}/onlineEndpoints/deployments/read`)).toBe(true);
    expect(actionMatches(`${WS}/*/read`, `${WS}/jobs/write`)).toBe(false);
    expect(actionMatches('*/read', 'Microsoft.Insights/metrics/read')).toBe(true);
  });

  test('compares case-insensitively and treats dots literally', () => {
    expect(actionMatches('microsoft.machinelearningservices/WORKSPACES/jobs/write', `${WS}/jobs/write`)).toBe(true);
    expect(actionMatches('Microsoft.Insights/metrics/read', 'MicrosoftXInsights/metrics/read')).toBe(false);
  });

  test('a pattern without a star matches only the exact action', () => {
    expect(actionMatches(`${WS}/jobs/read`, `${WS}/jobs/read`)).toBe(true);
    expect(actionMatches(`${WS}/jobs/read`, `${WS}/jobs/readx`)).toBe(false);
    expect(actionMatches(`${WS}/jobs`, `${WS}/jobs/read`)).toBe(false);
  });
});

describe('isActionAllowed', () => {
  test('a notAction removes the action from its own role', () => {
    const contributorButNoEndpoints: Permission = { actions: ['*'], notActions: [`${WS}/onlineEndpoints/*`] };
    expect(isActionAllowed([contributorButNoEndpoints], `${WS}/onlineEndpoints/write`)).toBe(false);
    expect(isActionAllowed([contributorButNoEndpoints], `${WS}/jobs/write`)).toBe(true);
  });

  test("another role grants what one role's notActions leave out (notActions are not deny assignments)", () => {
    const limited: Permission = { actions: ['*'], notActions: [`${WS}/onlineEndpoints/*`] };
    const endpoints: Permission = { actions: [`${WS}/onlineEndpoints/*`], notActions: [] };
    expect(isActionAllowed([limited, endpoints], `${WS}/onlineEndpoints/write`)).toBe(true);
  });

  test('the AzureML Data Scientist role may manage endpoints and jobs but not create computes or read metrics', () => {
    expect(isActionAllowed([AZUREML_DATA_SCIENTIST], `${WS}/onlineEndpoints/listKeys/action`)).toBe(true);
    expect(isActionAllowed([AZUREML_DATA_SCIENTIST], `${WS}/jobs/write`)).toBe(true);
    expect(isActionAllowed([AZUREML_DATA_SCIENTIST], `${WS}/computes/cpu-cluster/write`)).toBe(false);
    expect(isActionAllowed([AZUREML_DATA_SCIENTIST], `${WS}/write`)).toBe(false);
    expect(isActionAllowed([AZUREML_DATA_SCIENTIST], 'Microsoft.Insights/metrics/read')).toBe(false);
  });

  test('no permissions allow nothing', () => {
    expect(isActionAllowed([], `${WS}/jobs/read`)).toBe(false);
  });
});

describe('missingActions with the roles infra/main.json assigns', () => {
  const needed = (env: 'dev' | 'staging' | 'prod') => requiredActions(env).map((r) => r.action);

  test('AzureML Data Scientist covers everything dev and staging need', () => {
    expect(missingActions([AZUREML_DATA_SCIENTIST], needed('dev'))).toEqual([]);
    expect(missingActions([AZUREML_DATA_SCIENTIST], needed('staging'))).toEqual([]);
  });

  test('prod also needs Monitoring Reader for the endpoint metrics of the canary analysis', () => {
    expect(missingActions([AZUREML_DATA_SCIENTIST], needed('prod'))).toEqual(['Microsoft.Insights/metrics/read']);
    expect(missingActions([AZUREML_DATA_SCIENTIST, MONITORING_READER], needed('prod'))).toEqual([]);
  });

  test('a reader misses every write, delete and key action, listed in the order required', () => {
    const reader: Permission = { actions: ['*/read'], notActions: [] };
    expect(missingActions([reader], needed('staging'))).toEqual([
      `${WS}/models/write`,
      `${WS}/onlineEndpoints/write`,
      `${WS}/onlineEndpoints/delete`,
      `${WS}/onlineEndpoints/listKeys/action`,
      `${WS}/onlineEndpoints/deployments/write`,
      `${WS}/onlineEndpoints/deployments/delete`,
    ]);
  });
});
