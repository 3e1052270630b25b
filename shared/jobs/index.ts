/** @module AML-style job and deployment specs: schemas, input resolution and command substitution (pure). */
export { JobSpec, JobInputSpec, JobOutputSpec, InputType, INPUT_TYPES, parseJobSpec } from './jobSpec';
export { DeploymentSpec, ProbeSettings, parseDeploymentSpec } from './deploymentSpec';
export { substituteCommand, shellQuote, type CommandValue, type SubstituteCommandOptions } from './substituteCommand';
export { resolveJobInputs, type ResolvedJobInput } from './resolveJobInputs';
