import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile } from '../../../adapters/configFile';

describe('autopilot.yaml naming the ports of an unchanged Azure ML job', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ports-'));
    writeFileSync(
      join(dir, 'job.yaml'),
      'command: python train.py --data ${{inputs.training_data}} --model_output ${{outputs.model_output}}\n' +
        'inputs:\n  training_data: { type: uri_file, path: ./d.csv }\n  label_column: label\noutputs:\n  model_output: { type: custom_model }\n',
    );
    writeFileSync(join(dir, 'deployment.yaml'), 'code_configuration: { code: ., scoring_script: score.py }\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const config = (training: string) => {
    const file = join(dir, `autopilot-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(
      file,
      `version: 1\npipelines:\n  p:\n    data: { prefix: p/ }\n    training: ${training}\n    deployment: { spec: deployment.yaml }\n`,
    );
    return file;
  };

  it('fills in the ports the job declares', () => {
    const { config: loaded } = loadConfigFile(config('{ job: job.yaml }'));
    expect(loaded.pipelines['p']!.training).toMatchObject({
      dataInput: 'training_data',
      labelInput: 'label_column',
      modelOutput: 'model_output',
    });
  });

  it('refuses a port the job does not declare, naming the key, the job and what it declares', () => {
    const file = config('{ job: job.yaml, modelOutput: model }');
    expect(() => loadConfigFile(file)).toThrow(
      /pipelines\.p\.training\.modelOutput: the job declares no output 'model' \(its outputs: 'model_output'\) in .*job\.yaml/,
    );
  });

  it('refuses at start-up a deployment spec field Azure ML cannot take, naming the field and the file', () => {
    writeFileSync(
      join(dir, 'autoscale.yaml'),
      'code_configuration: { code: ., scoring_script: score.py }\nscale_settings: { type: target_utilization, max_instances: 3 }\n',
    );
    const file = join(dir, 'autopilot-autoscale.yaml');
    writeFileSync(
      file,
      'version: 1\npipelines:\n  p:\n    data: { prefix: p/ }\n    training: { job: job.yaml }\n    deployment: { spec: autoscale.yaml }\n',
    );
    expect(() => loadConfigFile(file)).toThrow(
      /autoscale\.yaml[\s\S]*scale_settings[\s\S]*managed online deployments take scale_settings type 'default' only/,
    );
  });
});
