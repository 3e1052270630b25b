import { z } from 'zod';
import { EnvironmentField } from './environmentSpec';
import { parseYamlWith } from '../config/parseConfig';

/**
 * The subset of the Azure ML command job YAML (`commandJob.schema.json`) that both
 * backends accept. Unknown keys are errors so a typo never passes silently; keys that
 * only matter on Azure (`environment`, `compute`, `resources`) are recorded, not used locally.
 */

export const INPUT_TYPES = ['uri_file', 'uri_folder', 'string', 'integer', 'number', 'boolean'] as const;
export const InputType = z.enum(INPUT_TYPES);
export type InputType = z.infer<typeof InputType>;

export const Literal = z.union([z.string(), z.number(), z.boolean()]);
export type Literal = z.infer<typeof Literal>;

export const JobInputSpec = z.union([
  Literal,
  z.strictObject({
    type: InputType,
    /** For uri_* inputs: a local path (relative to the spec file) or an http(s) URL. */
    path: z.string().min(1).optional(),
    default: Literal.optional(),
    /** Optional inputs may stay without a value; reference them inside `[...]` blocks. @default false */
    optional: z.boolean().default(false),
    description: z.string().optional(),
    mode: z.string().optional(),
  }),
]);
export type JobInputSpec = z.infer<typeof JobInputSpec>;

export const JobOutputSpec = z.strictObject({
  type: z.enum(['uri_folder', 'uri_file', 'mlflow_model', 'custom_model']),
  mode: z.string().optional(),
  description: z.string().optional(),
});
export type JobOutputSpec = z.infer<typeof JobOutputSpec>;

const stringMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

export const JobSpec = z.strictObject({
  $schema: z.string().optional(),
  type: z.literal('command').default('command'),
  name: z.string().optional(),
  display_name: z.string().optional(),
  experiment_name: z.string().optional(),
  description: z.string().optional(),
  /** Folder with the job's code, relative to the spec file. @default the spec's folder */
  code: z.string().min(1).default('.'),
  command: z.string().trim().min(1, 'give the command the job runs'),
  inputs: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'input names are identifiers'), JobInputSpec).default({}),
  outputs: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'output names are identifiers'), JobOutputSpec).default({}),
  environment: EnvironmentField.optional(),
  compute: z.string().optional(),
  environment_variables: stringMap.default({}),
  tags: stringMap.default({}),
  resources: z.record(z.string(), z.unknown()).optional(),
  limits: z.strictObject({ timeout: z.number().int().positive().optional() }).optional(),
});
export type JobSpec = z.infer<typeof JobSpec>;

/** Parses a job spec; a ConfigError names the file, the path and the line of each problem. */
export function parseJobSpec(text: string, file: string): JobSpec {
  return parseYamlWith(JobSpec, text, file);
}
