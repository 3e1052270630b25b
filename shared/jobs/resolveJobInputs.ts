import { ConfigError } from '../errors';
import type { JobInputValue } from '../ports';
import type { InputType, JobSpec, Literal } from './jobSpec';

/** An input after defaults and the caller's values are merged; uri paths are not yet fetched. */
export interface ResolvedJobInput {
  type: InputType;
  /** The value, or for uri_* inputs the path or URL; undefined when the input has none. */
  value?: string | number | boolean;
  optional: boolean;
}

/**
 * Merges the spec's input declarations with the values a submitter passes, checking names
 * and types like Azure ML does before a job is queued: unknown inputs, missing required
 * inputs and values of the wrong type are reported together.
 */
export function resolveJobInputs(
  spec: JobSpec,
  given: Readonly<Record<string, JobInputValue>>,
  file: string,
): Record<string, ResolvedJobInput> {
  const problems: { path: string; message: string }[] = [];
  const declared = Object.keys(spec.inputs);
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(spec.inputs, name)) {
      problems.push({ path: `inputs.${name}`, message: `unknown input '${name}'; the spec declares: ${declared.join(', ') || 'none'}` });
    }
  }
  const resolved: Record<string, ResolvedJobInput> = {};
  for (const [name, declaration] of Object.entries(spec.inputs)) {
    const override = given[name];
    const base: ResolvedJobInput =
      typeof declaration === 'object'
        ? { type: declaration.type, value: declaration.path ?? declaration.default, optional: declaration.optional }
        : { type: typeOfLiteral(declaration), value: declaration, optional: false };
    const overrideValue = override?.path ?? override?.value;
    const raw = overrideValue ?? base.value;
    const coerced = raw === undefined ? undefined : coerce(base.type, raw);
    if (coerced instanceof Error) {
      problems.push({ path: `inputs.${name}`, message: `input '${name}' ${coerced.message}` });
      continue;
    }
    if (coerced === undefined && !base.optional) {
      problems.push({ path: `inputs.${name}`, message: `required input '${name}' has no value; pass one or give it a default` });
      continue;
    }
    resolved[name] = { ...base, value: coerced };
  }
  if (problems.length > 0) throw new ConfigError(file, problems);
  return resolved;
}

function typeOfLiteral(value: Literal): InputType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return 'string';
}

function coerce(type: InputType, value: Literal): Literal | Error {
  switch (type) {
    case 'integer': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isInteger(n) && String(value).trim() !== '' ? n : new Error(`must be an integer, got ${JSON.stringify(value)}`);
    }
    case 'number': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isFinite(n) && String(value).trim() !== '' ? n : new Error(`must be a number, got ${JSON.stringify(value)}`);
    }
    case 'boolean':
      if (value === true || value === 'true' || value === 'True') return true;
      if (value === false || value === 'false' || value === 'False') return false;
      return new Error(`must be true or false, got ${JSON.stringify(value)}`);
    case 'uri_file':
    case 'uri_folder':
      return typeof value === 'string' && value.length > 0 ? value : new Error(`must be a path or URL, got ${JSON.stringify(value)}`);
    default:
      return String(value);
  }
}
