import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { EnvironmentVersion } from '@azure/arm-machinelearning';
import { BadRequestError } from '../../../shared/errors';
import type { InlineEnvironment } from '../../../shared/jobs/environmentSpec';
import { armCall, orUndefined } from './mapArmError';
import type { ArmWorkspaceClient } from './armWorkspaceClient';
import { assetName } from './codeAssets';
import { environmentArmId } from './assetReferences';

/**
 * The ARM id of the environment a job or deployment runs in. A reference is resolved as
 * azure-ai-ml resolves it (see environmentArmId). An inline definition becomes an environment version first,
 * as `az ml` does: its Docker build context is uploaded (as a code asset: the REST API takes
 * a blob URI as `build.contextUri`) and the version is named by the content's hash, so the
 * same definition is registered once and an edited one gets a new version.
 */
export async function environmentIdFor(
  environment: string | InlineEnvironment | undefined,
  specPath: string,
  arm: ArmWorkspaceClient,
): Promise<string | undefined> {
  if (environment === undefined) return undefined;
  if (typeof environment === 'string') return environmentArmId(environment, arm, specPath);
  // Unnamed: after the spec's folder, in Azure ML's name alphabet (as code assets are named).
  const name = environment.name ?? assetName(dirname(resolve(specPath)));
  const properties: EnvironmentVersion['properties'] = {
    osType: 'Linux',
    description: environment.description ?? `defined inline in ${basename(specPath)}; registered by autopilot`,
    ...(environment.image !== undefined && { image: environment.image }),
    ...(environment.inference_config && {
      // A custom serving container: Azure ML probes and forwards to these instead of its Python server.
      inferenceConfig: {
        livenessRoute: environment.inference_config.liveness_route,
        readinessRoute: environment.inference_config.readiness_route,
        scoringRoute: environment.inference_config.scoring_route,
      },
    }),
  };
  if (environment.build) {
    const context = resolve(dirname(specPath), environment.build.path);
    // Only the context is uploaded: a Dockerfile outside it is not there when Azure ML builds.
    const inside = relative(context, resolve(context, environment.build.dockerfile_path));
    if (inside.startsWith('..') || isAbsolute(inside) || isAbsolute(environment.build.dockerfile_path)) {
      throw new BadRequestError(
        `${specPath}: environment.build.dockerfile_path '${environment.build.dockerfile_path}' is outside the build context ${context}, which is all Azure ML receives; move the Dockerfile into it`,
        'environment.build.dockerfile_path',
      );
    }
    if (!existsSync(join(context, environment.build.dockerfile_path))) {
      throw new BadRequestError(
        `${specPath}: environment.build names ${context}, which has no ${environment.build.dockerfile_path}`,
        'environment.build',
      );
    }
    const uploaded = await arm.codeAsset(context, `${name}-context`);
    properties.build = { contextUri: uploaded.uri, dockerfilePath: environment.build.dockerfile_path };
  }
  const version = createHash('sha256').update(JSON.stringify(properties)).digest('hex').slice(0, 16);
  const { client, rg, ws } = arm;
  const id = `${name}:${version}`;
  const existing = await orUndefined(() => client.environmentVersions.get(rg, ws, name, version), 'environment', id);
  if (existing?.id) return existing.id;
  const created = await armCall(() => client.environmentVersions.createOrUpdate(rg, ws, name, version, { properties }), 'environment', id);
  return created.id ?? `${arm.workspacePath}/environments/${name}/versions/${version}`;
}
