import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError, ensureError } from '../../../shared/errors';
import { parseJobSpec, type JobSpec } from '../../../shared/jobs/jobSpec';
import { resolveJobInputs, type ResolvedJobInput } from '../../../shared/jobs/resolveJobInputs';
import { substituteCommand } from '../../../shared/jobs/substituteCommand';
import type { SubmitJobRequest } from '../../../shared/ports';
import { hashFolder, NON_CODE_FOLDERS } from './hashFolder';
import type { JobRequest } from './jobRecord';

export interface PreparedJob {
  spec: JobSpec;
  specPath: string;
  specDir: string;
  codeDir: string;
  inputs: Record<string, ResolvedJobInput>;
  codeHash: string;
  timeoutSeconds?: number;
}

/**
 * Everything that can be checked before a job exists: the spec parses, the inputs match
 * its declarations, every `${{...}}` resolves, the code folder exists. A bad request is
 * refused here (ConfigError) instead of becoming a failed job.
 */
export async function prepareJob(request: SubmitJobRequest): Promise<PreparedJob> {
  const specPath = resolve(request.specPath);
  let text: string;
  try {
    text = await readFile(specPath, 'utf8');
  } catch (error) {
    throw new ConfigError(specPath, [{ path: '', message: `cannot read the job spec: ${ensureError(error).message}` }]);
  }
  const spec = parseJobSpec(text, specPath);
  const specDir = dirname(specPath);
  const declaredOptional = Object.entries(request.optionalInputs ?? {}).filter(([name]) => name in spec.inputs);
  const inputs = resolveJobInputs(spec, { ...Object.fromEntries(declaredOptional), ...request.inputs }, specPath);
  const placeholders = Object.fromEntries(Object.keys(spec.outputs).map((name) => [name, `/outputs/${name}`]));
  substituteCommand(spec.command, Object.fromEntries(Object.entries(inputs).map(([n, i]) => [n, i.value])), placeholders, {
    file: specPath,
  });

  const codeDir = resolve(specDir, spec.code);
  const isFolder = await stat(codeDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isFolder) {
    throw new ConfigError(specPath, [{ path: 'code', message: `${codeDir} is not a folder; 'code' is relative to the spec file` }]);
  }
  const prepared: PreparedJob = {
    spec,
    specPath,
    specDir,
    codeDir,
    inputs,
    codeHash: await hashFolder(codeDir, { skip: NON_CODE_FOLDERS }),
  };
  const timeoutSeconds = request.timeoutSeconds ?? spec.limits?.timeout;
  if (timeoutSeconds !== undefined) prepared.timeoutSeconds = timeoutSeconds;
  return prepared;
}

/** What job.json keeps of a request, to resubmit it as it was (see JobRunner.recover). */
export function toJobRequest(request: SubmitJobRequest): JobRequest {
  const kept: JobRequest = { specPath: resolve(request.specPath), inputs: request.inputs };
  if (request.optionalInputs) kept.optionalInputs = request.optionalInputs;
  if (request.tags) kept.tags = request.tags;
  if (request.timeoutSeconds !== undefined) kept.timeoutSeconds = request.timeoutSeconds;
  return kept;
}
