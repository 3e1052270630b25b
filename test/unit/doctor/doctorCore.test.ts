import {
  formatEnvironmentReference,
  parseComputeReference,
  parseEnvironmentReference,
  permissionFix,
  redactTokens,
  requiredActions,
  summarizeChecks,
  withCheckTimeout,
} from '../../../shared/doctor';
import { STATE_TABLE, STEPS_QUEUE as COMPOSE_STEPS_QUEUE } from '../../../adapters/compose';
import { STATE_TABLES, STEPS_QUEUE } from '../../../adapters/azure/doctor/storageChecks';

const WORKSPACE_ID = '/subscriptions/sub-1/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws-prod';

describe('permissionFix', () => {
  test('names one role assignment per role and scope, as infra/main.json assigns them', () => {
    const missing = requiredActions('prod').filter((r) => r.action.endsWith('/write') || r.action.startsWith('Microsoft.Insights'));
    const fix = permissionFix(missing, { environment: 'prod', workspaceId: WORKSPACE_ID, principalId: 'oid-1' });
    expect(fix).toContain(`az role assignment create --assignee oid-1 --role "AzureML Data Scientist" --scope ${WORKSPACE_ID}`);
    expect(fix).toContain(
      'az role assignment create --assignee oid-1 --role "Monitoring Reader" --scope /subscriptions/sub-1/resourceGroups/rg-ml',
    );
    expect(fix).toContain('only ML engineers');
  });

  test('without a known principal it says how to find the object id; dev carries no staging/prod reminder', () => {
    const fix = permissionFix(requiredActions('dev').slice(0, 1), { environment: 'dev', workspaceId: WORKSPACE_ID });
    expect(fix).toContain('--assignee <object-id>');
    expect(fix).toContain('az ad signed-in-user show --query id -o tsv');
    expect(fix).not.toContain('only ML engineers');
  });
});

describe('asset references', () => {
  test('parses the environment forms of Azure ML CLI v2 specs', () => {
    expect(parseEnvironmentReference('azureml:node-20-tabular@latest')).toEqual({ name: 'node-20-tabular', version: 'latest' });
    expect(parseEnvironmentReference('azureml:score-env:3')).toEqual({ name: 'score-env', version: '3' });
    expect(
      parseEnvironmentReference(
        '/subscriptions/s/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces/w/environments/env/versions/7',
      ),
    ).toEqual({ name: 'env', version: '7' });
    expect(formatEnvironmentReference({ name: 'env', version: 'latest' })).toBe('env@latest');
  });

  test('refuses references it cannot look up safely', () => {
    expect(parseEnvironmentReference('python:3.11')).toBeUndefined();
    expect(parseEnvironmentReference('azureml:env@stable')).toBeUndefined();
    expect(parseEnvironmentReference('azureml:../../x:1')).toBeUndefined();
    expect(parseComputeReference('azureml:../secrets')).toBeUndefined();
  });

  test('parses computes named with or without the azureml: prefix, or by id', () => {
    expect(parseComputeReference('azureml:cpu-cluster')).toBe('cpu-cluster');
    expect(parseComputeReference('cpu-cluster')).toBe('cpu-cluster');
    expect(
      parseComputeReference('/subscriptions/s/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces/w/computes/gpu'),
    ).toBe('gpu');
  });
});

describe('summarizeChecks', () => {
  test('exit code 1 only when a check failed; warnings and skips pass', () => {
    expect(
      summarizeChecks([
        { name: 'a', status: 'ok', detail: '' },
        { name: 'b', status: 'warn', detail: '' },
        { name: 'c', status: 'skip', detail: '' },
      ]),
    ).toEqual({ ok: 1, warn: 1, fail: 0, skip: 1, exitCode: 0 });
    expect(summarizeChecks([{ name: 'a', status: 'fail', detail: '' }]).exitCode).toBe(1);
  });
});

describe('withCheckTimeout', () => {
  afterEach(() => jest.useRealTimers());

  test('a check that never answers fails at its deadline and its signal is aborted', async () => {
    jest.useFakeTimers();
    let signal: AbortSignal | undefined;
    const pending = withCheckTimeout('prod: workspace', 5000, (s) => ((signal = s), new Promise(() => undefined)));
    await jest.advanceTimersByTimeAsync(5000);
    await expect(pending).resolves.toEqual([
      expect.objectContaining({ name: 'prod: workspace', status: 'fail', detail: expect.stringContaining('no answer within 5 s') }),
    ]);
    expect(signal?.aborted).toBe(true);
  });

  test('an unexpected error becomes a failed check with tokens redacted', async () => {
    const jwt = 'eyJhbGciOiJub25lIn0.eyJvaWQiOiJ4In0.';
    const results = await withCheckTimeout('credential', 1000, async () => {
      throw new Error(`boom ${jwt}`);
    });
    expect(results).toEqual([{ name: 'credential', status: 'fail', detail: 'unexpected error: boom <redacted token>' }]);
    expect(redactTokens(jwt)).toBe('<redacted token>');
  });
});

test('the doctor checks the queue and table names the composition root uses', () => {
  expect(STEPS_QUEUE).toBe(COMPOSE_STEPS_QUEUE);
  expect(STATE_TABLES).toContain(STATE_TABLE);
});
