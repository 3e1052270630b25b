import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { parseConfig } from '../../../shared/config/parseConfig';
import { parseDeploymentSpec, parseJobSpec } from '../../../shared/jobs';

const repo = join(__dirname, '..', '..', '..');

describe('the default autopilot.yaml', () => {
  const config = parseConfig(readFileSync(join(repo, 'autopilot.yaml'), 'utf8'));
  const pipeline = config.pipelines['default']!;

  it('declares pipeline default watching training-data/default/ with label column label', () => {
    expect(pipeline.data).toMatchObject({ container: 'training-data', prefix: 'default/', labelColumn: 'label' });
    expect(pipeline.evaluation).toMatchObject({ metric: 'auc', floor: 0.6, minImprovement: 0 });
  });

  it('points at the example job and deployment specs, which exist', () => {
    expect(existsSync(join(repo, pipeline.training.job))).toBe(true);
    expect(existsSync(join(repo, pipeline.deployment.spec))).toBe(true);
  });

  it("has a job spec in Azure ML's command job shape whose code folder holds train.ts and the sample data", () => {
    const specPath = join(repo, pipeline.training.job);
    const job = parse(readFileSync(specPath, 'utf8'));
    expect(job).toMatchObject({
      $schema: 'https://azuremlschemas.azureedge.net/latest/commandJob.schema.json',
      type: 'command',
      code: '.',
      inputs: { training_data: { type: 'uri_file', path: './sample.csv' }, label_column: 'label', seed: 42, task: 'classification' },
      outputs: { model: { type: 'custom_model' } },
    });
    expect(job.command).toBe(
      'node --import tsx train.ts --data ${{inputs.training_data}} --label ${{inputs.label_column}} --seed ${{inputs.seed}} --task ${{inputs.task}} --model-dir ${{outputs.model}}',
    );
    expect(existsSync(join(dirname(specPath), job.code, 'train.ts'))).toBe(true);
    expect(existsSync(join(dirname(specPath), job.inputs.training_data.path))).toBe(true);
    expect(() => parseJobSpec(readFileSync(specPath, 'utf8'), specPath)).not.toThrow();
  });

  it('has a deployment spec whose scoring script exists', () => {
    const specPath = join(repo, pipeline.deployment.spec);
    const deployment = parse(readFileSync(specPath, 'utf8'));
    expect(deployment).toMatchObject({
      $schema: 'https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json',
      code_configuration: { code: '.', scoring_script: 'score.ts' },
      instance_type: 'Standard_DS3_v2',
      instance_count: 1,
      request_settings: { request_timeout_ms: 5000 },
    });
    const { code, scoring_script } = deployment.code_configuration;
    expect(existsSync(join(dirname(specPath), code, scoring_script))).toBe(true);
    expect(() => parseDeploymentSpec(readFileSync(specPath, 'utf8'), specPath)).not.toThrow();
  });
});
