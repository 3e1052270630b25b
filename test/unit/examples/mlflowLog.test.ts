import { mlflowTargetFromEnv } from '../../../examples/tabular/mlflowLog';

describe('mlflowTargetFromEnv never repeats a credential of MLFLOW_TRACKING_URI', () => {
  test.each([
    ['a URI that does not parse (bad port)', 'https://alice:s3cr3t-pw@mlflow.example.com:99999/x'],
    ['a URI of another scheme', 'ftp://alice:s3cr3t-pw@mlflow.example.com/x'],
    ['a token in the query of another scheme', 'file:///tmp/mlruns?token=s3cr3t-pw'],
  ])('%s: the problem names the URI without its secret', (_what, uri) => {
    const target = mlflowTargetFromEnv({ MLFLOW_TRACKING_URI: uri, MLFLOW_RUN_ID: 'r1' });
    expect(target).toHaveProperty('problem');
    const { problem } = target as { problem: string };
    expect(problem).toMatch(/MLFLOW_TRACKING_URI/);
    expect(problem).not.toMatch(/s3cr3t/);
  });
});
