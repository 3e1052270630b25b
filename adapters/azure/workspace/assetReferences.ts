import { BadRequestError, NotFoundError } from '../../../shared/errors';
import { parseComputeReference, parseEnvironmentReference } from '../../../shared/doctor';
import { orUndefined } from './mapArmError';
import type { ArmWorkspaceClient } from './armWorkspaceClient';

const REGISTRY_ASSET = /^azureml:\/\/registries\/[^/]+\/environments\/[^/]+\/(versions|labels)\/[^/]+$/i;

/**
 * What the REST API takes as `environmentId`: an environment version's ARM id, or a registry
 * asset id. The short forms of the YAML are resolved here as azure-ai-ml resolves them
 * client-side: `azureml:<name>:<version>` to the ARM id, `azureml:<name>@latest` to the most
 * recently created version (_asset_utils._get_latest: list, order by createdtime desc, top 1).
 */
export async function environmentArmId(reference: string, arm: ArmWorkspaceClient, specPath: string): Promise<string> {
  const text = reference.trim();
  if (REGISTRY_ASSET.test(text)) return text;
  const ref = parseEnvironmentReference(text);
  if (!ref) {
    throw new BadRequestError(
      `${specPath}: environment '${reference}' is not a form Azure ML resolves; use azureml:<name>:<version>, azureml:<name>@latest, an environment version's ARM id, or azureml://registries/<registry>/environments/<name>/versions/<version>`,
      'environment',
    );
  }
  if (ref.version !== 'latest') return `${arm.workspacePath}/environments/${ref.name}/versions/${ref.version}`;
  const { client, rg, ws } = arm;
  const latest = await orUndefined(
    async () => {
      for await (const version of client.environmentVersions.list(rg, ws, ref.name, { orderBy: 'createdtime desc', top: 1 }))
        return version;
      return undefined;
    },
    'environment',
    ref.name,
  );
  if (!latest?.id) {
    throw new NotFoundError(
      'environment',
      `${ref.name}@latest`,
      `${specPath} names it, and workspace ${ws} has no version of it; create one with \`az ml environment create\``,
    );
  }
  return latest.id;
}

/** `computeId` as the REST API takes it (an ARM id) from `azureml:<name>`, a bare name or an ARM id. */
export function computeArmId(reference: string, workspacePath: string, specPath: string): string {
  const name = parseComputeReference(reference);
  if (!name) throw new BadRequestError(`${specPath}: compute '${reference}' is not a compute name; use azureml:<compute-name>`, 'compute');
  return `${workspacePath}/computes/${name}`;
}
