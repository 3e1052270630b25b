import { servingContainerCheck } from '../../../shared/doctor';
import { parseDeploymentSpec } from '../../../shared/jobs';

const check = (yaml: string) => servingContainerCheck(parseDeploymentSpec(yaml, 'deployment.yaml'), 'deployment.yaml', 'default');

describe('servingContainerCheck (can Azure ML start the scoring script?)', () => {
  it('has nothing to say of a Python score.py or a no-code MLflow deployment', () => {
    expect(check('code_configuration: { code: ., scoring_script: score.py }\nenvironment: azureml:sklearn@latest\n')).toBeUndefined();
    expect(check('instance_type: Standard_DS3_v2\n')).toBeUndefined();
  });

  it('fails a Node script in an environment without inference_config: Azure ML would start its Python server', () => {
    expect(check('code_configuration: { code: ., scoring_script: score.ts }\nenvironment: { image: node:20 }\n')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('score.ts would not start'),
      fix: expect.stringContaining('examples/tabular/azure/deployment.yaml'),
    });
  });

  it('warns when the environment is a reference it cannot see into', () => {
    expect(check('code_configuration: { code: ., scoring_script: score.js }\nenvironment: azureml:node-20@latest\n')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining("starts only if environment 'azureml:node-20@latest' is a custom container"),
    });
  });

  it('passes a custom container with routes, saying plainly what only a real deployment proves', () => {
    const result = check(`code_configuration: { code: ./code, scoring_script: score.js }
environment:
  build: { path: ./environment }
  inference_config:
    liveness_route: { port: 5001, path: /health }
    readiness_route: { port: 5001, path: /health }
    scoring_route: { port: 5001, path: /score }
`);
    expect(result).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(
        /built by Azure ML from \.\/environment, scoring on :5001\/score\).*Not verifiable before a real deployment/,
      ),
    });
  });
});
