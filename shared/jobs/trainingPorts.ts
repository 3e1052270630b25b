import type { PipelineConfig } from '../config/schema';
import type { ModelFormat } from '../ports';
import type { JobSpec } from './jobSpec';

/** Which inputs of a training job receive the data and the label column's name, and which output is the model. */
export interface TrainingPorts {
  dataInput: string;
  /** Absent when the job takes no label input (its script knows the column). */
  labelInput?: string;
  modelOutput: string;
  /** The model output's type in the job spec: `mlflow_model` is registered and deployed as MLflow (no code); anything else as custom. */
  modelFormat: ModelFormat;
}

/** A pipeline's training section once the config loader has resolved its ports against the job spec. */
type ResolvedTraining = PipelineConfig['training'] & { modelFormat?: ModelFormat };

const URI_TYPES = new Set(['uri_file', 'uri_folder']);
const MODEL_TYPES = new Set(['custom_model', 'mlflow_model', 'uri_folder']);

/**
 * The training job's ports, from autopilot.yaml where it names them, else from the job spec:
 * the data goes to its only uri_file/uri_folder input, the model is its only model output,
 * the label column's name goes to `label_column` when it declares one (our example's names,
 * kept as fallbacks). Every problem names the key to set and what the job declares.
 */
export function resolveTrainingPorts(
  training: PipelineConfig['training'],
  spec: JobSpec,
): TrainingPorts | { problems: { key: string; message: string }[] } {
  const problems: { key: string; message: string }[] = [];
  const inputs = Object.entries(spec.inputs);
  const typeOf = (declaration: JobSpec['inputs'][string]) => (typeof declaration === 'object' ? declaration.type : 'literal');
  const listed = (names: string[]) => (names.length ? names.map((n) => `'${n}'`).join(', ') : 'none');

  let dataInput = training.dataInput;
  const uriInputs = inputs.filter(([, d]) => URI_TYPES.has(typeOf(d))).map(([n]) => n);
  if (dataInput !== undefined) {
    const declaration = spec.inputs[dataInput];
    if (declaration === undefined)
      problems.push({ key: 'dataInput', message: `the job declares no input '${dataInput}' (its uri inputs: ${listed(uriInputs)})` });
    else if (!URI_TYPES.has(typeOf(declaration)))
      problems.push({
        key: 'dataInput',
        message: `input '${dataInput}' is ${typeOf(declaration)}; the data needs a uri_file or uri_folder input`,
      });
  } else if (uriInputs.length === 1) {
    dataInput = uriInputs[0];
  } else if (uriInputs.includes('training_data')) {
    dataInput = 'training_data';
  } else {
    problems.push({
      key: 'dataInput',
      message: `name the job input that receives the training data (its uri_file/uri_folder inputs: ${listed(uriInputs)})`,
    });
  }

  let labelInput = training.labelInput;
  if (labelInput !== undefined) {
    const declaration = spec.inputs[labelInput];
    if (declaration === undefined)
      problems.push({
        key: 'labelInput',
        message: `the job declares no input '${labelInput}' (its inputs: ${listed(inputs.map(([n]) => n))})`,
      });
    else if (URI_TYPES.has(typeOf(declaration)))
      problems.push({
        key: 'labelInput',
        message: `input '${labelInput}' is ${typeOf(declaration)}; the label column's name needs a literal or string input`,
      });
  } else if (spec.inputs['label_column'] !== undefined) {
    labelInput = 'label_column';
  }

  let modelOutput = training.modelOutput;
  const outputs = Object.entries(spec.outputs);
  const modelOutputs = outputs.filter(([, o]) => MODEL_TYPES.has(o.type)).map(([n]) => n);
  if (modelOutput !== undefined) {
    const declaration = spec.outputs[modelOutput];
    if (declaration === undefined)
      problems.push({
        key: 'modelOutput',
        message: `the job declares no output '${modelOutput}' (its outputs: ${listed(outputs.map(([n]) => n))})`,
      });
    else if (!MODEL_TYPES.has(declaration.type))
      problems.push({
        key: 'modelOutput',
        message: `output '${modelOutput}' is ${declaration.type}; the model needs a custom_model, mlflow_model or uri_folder output`,
      });
  } else if (modelOutputs.length === 1) {
    modelOutput = modelOutputs[0];
  } else if (modelOutputs.includes('model')) {
    modelOutput = 'model';
  } else {
    problems.push({
      key: 'modelOutput',
      message: `name the job output that holds the model (its custom_model/mlflow_model/uri_folder outputs: ${listed(modelOutputs)})`,
    });
  }

  if (problems.length) return { problems };
  const modelFormat: ModelFormat = spec.outputs[modelOutput!]?.type === 'mlflow_model' ? 'mlflow_model' : 'custom_model';
  return { dataInput: dataInput!, modelOutput: modelOutput!, modelFormat, ...(labelInput !== undefined && { labelInput }) };
}

/** The ports of a loaded pipeline (set at start-up by the config loader); our example's names otherwise. */
export function trainingPortsOf(pipeline: PipelineConfig): TrainingPorts {
  const t: ResolvedTraining = pipeline.training;
  return {
    dataInput: t.dataInput ?? 'training_data',
    modelOutput: t.modelOutput ?? 'model',
    modelFormat: t.modelFormat ?? 'custom_model',
    ...(t.labelInput !== undefined ? { labelInput: t.labelInput } : { labelInput: 'label_column' }),
  };
}
