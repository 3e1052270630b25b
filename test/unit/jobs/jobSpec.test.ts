import { ConfigError } from '../../../shared/errors';
import { parseJobSpec } from '../../../shared/jobs/jobSpec';
import { collectedShare, parseDeploymentSpec } from '../../../shared/jobs/deploymentSpec';
import { resolveJobInputs } from '../../../shared/jobs/resolveJobInputs';

const jobYaml = `$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
code: ./src
command: node train.js --data \${{inputs.data}} --out \${{outputs.model}}
inputs:
  data: { type: uri_file, path: https://acct.blob.core.windows.net/c/d.csv }
  seed: 42
  rate: { type: number, default: 0.1 }
  note: { type: string, optional: true }
outputs:
  model: { type: mlflow_model }
environment: azureml:tabular-env@latest
compute: azureml:cpu-cluster
environment_variables: { THREADS: 2 }
limits: { timeout: 600 }
`;

describe('parseJobSpec', () => {
  it('reads the supported subset of an Azure ML command job with its defaults', () => {
    const spec = parseJobSpec(jobYaml, 'job.yaml');
    expect(spec.type).toBe('command');
    expect(spec.code).toBe('./src');
    expect(spec.inputs['seed']).toBe(42);
    expect(spec.outputs['model']).toEqual({ type: 'mlflow_model' });
    expect(spec.environment_variables).toEqual({ THREADS: '2' });
    expect(spec.limits?.timeout).toBe(600);
    expect(spec.environment).toBe('azureml:tabular-env@latest');
  });

  it('rejects unknown keys and a missing command with file and line', () => {
    expect(() => parseJobSpec('code: .\ncomand: x\n', 'spec/job.yaml')).toThrow(ConfigError);
    try {
      parseJobSpec('code: .\ncomand: x\n', 'spec/job.yaml');
    } catch (error) {
      const message = (error as ConfigError).message;
      expect(message).toContain('spec/job.yaml');
      expect(message).toContain('comand');
      expect(message).toMatch(/command/);
    }
  });

  it('rejects an input of an unsupported type', () => {
    expect(() => parseJobSpec('command: x\ninputs:\n  d: { type: mltable }\n', 'job.yaml')).toThrow(/line 3, inputs\.d/);
  });
});

describe('parseDeploymentSpec', () => {
  it('fills Azure ML defaults for request settings and probes', () => {
    const spec = parseDeploymentSpec('code_configuration: { code: ./src, scoring_script: score.ts }\n', 'dep.yaml');
    expect(spec.instance_count).toBe(1);
    expect(spec.request_settings).toEqual({ request_timeout_ms: 5000, max_concurrent_requests_per_instance: 1 });
    expect(spec.liveness_probe).toEqual({ initial_delay: 10, period: 10, timeout: 2, failure_threshold: 30, success_threshold: 1 });
    expect(spec.readiness_probe.failure_threshold).toBe(3);
  });

  it('reads a spec without code_configuration as a no-code MLflow deployment, and refuses half of one', () => {
    expect(parseDeploymentSpec('name: blue\n', 'dep.yaml').code_configuration).toBeUndefined();
    expect(() => parseDeploymentSpec('code_configuration: { code: . }\n', 'dep.yaml')).toThrow(/code_configuration\.scoring_script/);
  });
});

describe('collectedShare', () => {
  const share = (dataCollector: string) => collectedShare(parseDeploymentSpec(`name: blue\n${dataCollector}`, 'dep.yaml').data_collector);

  it("is the spec's sampling_rate when a collection is on, all of them without a rate", () => {
    expect(
      share("data_collector:\n  sampling_rate: 0.25\n  collections: { request: { enabled: 'True' }, response: { enabled: 'False' } }\n"),
    ).toBe(0.25);
    expect(share('data_collector:\n  collections: { model_inputs: { enabled: true } }\n')).toBeUndefined();
  });

  it('is none when every listed collection is off, or none is listed, as Azure ML collects nothing then', () => {
    expect(
      share("data_collector:\n  sampling_rate: 0.5\n  collections: { request: { enabled: 'False' }, response: { enabled: 'false' } }\n"),
    ).toBe(0);
    expect(share('data_collector:\n  collections: {}\n')).toBe(0);
  });

  it('leaves a spec without data_collector to the local default (everything collected)', () => {
    expect(share('')).toBeUndefined();
  });
});

describe('resolveJobInputs', () => {
  const spec = parseJobSpec(jobYaml, 'job.yaml');

  it('merges defaults with the values passed and coerces types', () => {
    const inputs = resolveJobInputs(spec, { seed: { value: '7' }, data: { path: '/tmp/x.csv' } }, 'job.yaml');
    expect(inputs['seed']).toEqual({ type: 'integer', value: 7, optional: false });
    expect(inputs['data']?.value).toBe('/tmp/x.csv');
    expect(inputs['rate']?.value).toBe(0.1);
    expect(inputs['note']?.value).toBeUndefined();
  });

  it('names unknown inputs and values of the wrong type', () => {
    expect(() => resolveJobInputs(spec, { sed: { value: 1 } }, 'job.yaml')).toThrow(
      /unknown input 'sed'; the spec declares: data, seed, rate, note/,
    );
    expect(() => resolveJobInputs(spec, { seed: { value: 'many' } }, 'job.yaml')).toThrow(/input 'seed' must be an integer/);
  });

  it('names a required input that has no value', () => {
    const bare = parseJobSpec('command: x\ninputs:\n  data: { type: uri_file }\n', 'job.yaml');
    expect(() => resolveJobInputs(bare, {}, 'job.yaml')).toThrow(/required input 'data' has no value/);
  });
});
