import { parseJobSpec } from '../../../shared/jobs/jobSpec';
import { resolveTrainingPorts } from '../../../shared/jobs/trainingPorts';

const training = { job: 'job.yaml', timeoutMinutes: 30, seed: 42 };

// The job.yaml a data scientist already runs with `az ml job create` (Azure/azureml-examples style).
const azureMlJob = parseJobSpec(
  `
command: python train.py --data \${{inputs.training_data}} --label \${{inputs.target}} --model_output \${{outputs.model_output}}
inputs:
  training_data: { type: uri_file, path: ./data.csv }
  target: label
  registered_name: my-model
outputs:
  model_output: { type: mlflow_model }
  report: { type: uri_file }
`,
  'job.yaml',
);

describe('resolveTrainingPorts', () => {
  it("defaults to the job's only uri input and only model output", () => {
    expect(resolveTrainingPorts(training, azureMlJob)).toEqual({
      dataInput: 'training_data',
      modelOutput: 'model_output',
      modelFormat: 'mlflow_model',
    });
  });

  it('registers a custom_model or uri_folder output as a custom model (deployed with its scoring script)', () => {
    for (const type of ['custom_model', 'uri_folder']) {
      const spec = parseJobSpec(
        `command: python train.py\ninputs:\n  data: { type: uri_file }\noutputs:\n  model: { type: ${type} }\n`,
        'job.yaml',
      );
      expect(resolveTrainingPorts(training, spec)).toMatchObject({ modelOutput: 'model', modelFormat: 'custom_model' });
    }
  });

  it('takes the names autopilot.yaml gives, label input included', () => {
    expect(
      resolveTrainingPorts({ ...training, dataInput: 'training_data', labelInput: 'target', modelOutput: 'model_output' }, azureMlJob),
    ).toEqual({
      dataInput: 'training_data',
      labelInput: 'target',
      modelOutput: 'model_output',
      modelFormat: 'mlflow_model',
    });
  });

  it('says which key to set and what the job declares when a name is wrong', () => {
    const result = resolveTrainingPorts({ ...training, dataInput: 'data', labelInput: 'training_data', modelOutput: 'report' }, azureMlJob);
    expect(result).toEqual({
      problems: [
        { key: 'dataInput', message: "the job declares no input 'data' (its uri inputs: 'training_data')" },
        { key: 'labelInput', message: "input 'training_data' is uri_file; the label column's name needs a literal or string input" },
        { key: 'modelOutput', message: "output 'report' is uri_file; the model needs a custom_model, mlflow_model or uri_folder output" },
      ],
    });
  });

  it('asks for the data input when the job has two uri inputs and neither is training_data', () => {
    const twoInputs = parseJobSpec(
      'command: x\ninputs:\n  a: { type: uri_file }\n  b: { type: uri_folder }\noutputs:\n  m: { type: custom_model }\n',
      'job.yaml',
    );
    expect(resolveTrainingPorts(training, twoInputs)).toEqual({
      problems: [
        { key: 'dataInput', message: "name the job input that receives the training data (its uri_file/uri_folder inputs: 'a', 'b')" },
      ],
    });
  });
});
