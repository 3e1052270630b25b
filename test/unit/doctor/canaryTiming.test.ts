import { parseConfig } from '../../../shared/config/parseConfig';
import { canaryTimingChecks } from '../../../shared/doctor';

/** autopilot.yaml with prod on `prodBackend` and pipelines `churn` and `fraud`; `rollout` is YAML under churn. */
function config(prodBackend: 'azure' | 'local', churnRollout = '', fraudRollout = '') {
  const pipeline = (name: string, rollout: string) =>
    [
      `  ${name}:`,
      `    data: { prefix: ${name}/ }`,
      '    training: { job: job.yaml }',
      '    deployment: { spec: deployment.yaml }',
      ...(rollout ? [rollout] : []),
    ].join('\n');
  return parseConfig(
    [
      'version: 1',
      'environments:',
      `  prod: { backend: ${prodBackend} }`,
      'pipelines:',
      pipeline('churn', churnRollout),
      pipeline('fraud', fraudRollout),
    ].join('\n'),
  );
}

describe('canaryTimingChecks (autopilot doctor)', () => {
  test("warns per pipeline whose canary steps are shorter than Azure Monitor's minute metrics need, naming the values", () => {
    const results = canaryTimingChecks(config('azure', '    rollout: { bakeSeconds: 300, maxStepSeconds: 900 }'), 'deploy/autopilot.yaml');
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['prod: canary timing (churn)', 'ok'],
      ['prod: canary timing (fraud)', 'warn'],
    ]);
    const fraud = results[1]!;
    expect(fraud.detail).toContain('bakeSeconds 10 < 120');
    expect(fraud.detail).toContain('maxStepSeconds 120 < 300');
    expect(fraud.detail).toContain('per-minute metrics');
    expect(fraud.fix).toBe(
      'In deploy/autopilot.yaml, under pipelines.fraud:\n    rollout:\n      bakeSeconds: 120\n      maxStepSeconds: 600',
    );
  });

  test('the YAML it suggests, pasted under the pipeline, makes the check pass', () => {
    const [first] = canaryTimingChecks(config('azure', '    rollout: { bakeSeconds: 60, maxStepSeconds: 400 }'));
    expect(first!.status).toBe('warn');
    expect(first!.detail).toContain('bakeSeconds 60 < 120');
    expect(first!.detail).not.toContain('maxStepSeconds');
    const suggested = first!.fix!.split('\n').slice(1).join('\n');
    expect(suggested).toContain('maxStepSeconds: 400'); // a value already long enough is kept
    expect(canaryTimingChecks(config('azure', suggested))[0]!.status).toBe('ok');
  });

  test('says nothing when prod runs on the local backend, and passes blue/green pipelines, which have no canary step', () => {
    expect(canaryTimingChecks(config('local'))).toEqual([]);
    const [churn] = canaryTimingChecks(config('azure', '    rollout: { canarySteps: [100] }'));
    expect(churn).toMatchObject({ status: 'ok', detail: expect.stringContaining('blue/green') });
  });
});
