import { parseConfig } from '../../../shared/config/parseConfig';
import { promotionCheck } from '../../../shared/doctor';

function config(backends: { dev: string; staging: string }, extra = ''): ReturnType<typeof parseConfig> {
  return parseConfig(
    [
      'version: 1',
      ...(extra ? [extra] : []),
      'environments:',
      `  dev: { backend: ${backends.dev} }`,
      `  staging: { backend: ${backends.staging} }`,
      'pipelines:',
      '  churn:',
      '    data: { prefix: churn/ }',
      '    training: { job: job.yaml }',
      '    deployment: { spec: deployment.yaml }',
    ].join('\n'),
  );
}

describe('promotionCheck (autopilot doctor)', () => {
  test('warns when models move between azure workspaces without a registry, with the YAML that fixes it', () => {
    const [result] = promotionCheck(config({ dev: 'azure', staging: 'azure' }), 'deploy/autopilot.yaml');
    expect(result).toMatchObject({ status: 'warn', detail: expect.stringMatching(/only the dev workspace can resolve/) });
    expect(result!.fix).toContain('add to deploy/autopilot.yaml');
    expect(result!.fix).toMatch(/azure:\n {2}registry: \{ name: <registryName output>/);
  });

  test('is content with a registry, and silent when dev or staging is local', () => {
    const withRegistry = config(
      { dev: 'azure', staging: 'azure' },
      'azure: { registry: { name: mlreg, subscriptionId: 00000000-0000-0000-0000-000000000001, resourceGroup: rg } }',
    );
    expect(promotionCheck(withRegistry)).toEqual([
      expect.objectContaining({ status: 'ok', detail: "through the Azure ML registry 'mlreg'" }),
    ]);
    expect(promotionCheck(config({ dev: 'local', staging: 'azure' }))).toEqual([]);
    expect(promotionCheck(config({ dev: 'azure', staging: 'local' }))).toEqual([]);
  });
});
