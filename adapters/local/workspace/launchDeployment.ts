import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureError, NotFoundError } from '../../../shared/errors';
import { collectedShare } from '../../../shared/jobs/deploymentSpec';
import type { ModelRef } from '../../../shared/ports';
import { loadDeploymentSpec } from '../inference/loadDeploymentSpec';
import { ScoringProcess } from '../inference/scoringProcess';
import type { DeploymentRecord, EndpointRecord } from './endpointRecord';
import { serverKey, type EndpointStore } from './endpointStore';

/**
 * Starts a scoring server for `model` under `deployment`; on success it replaces the
 * running one (which is stopped after the switch, so requests never see a gap). On
 * failure the deployment is marked failed and a previous server, if any, keeps serving.
 * The caller saves the record afterwards.
 */
export async function launchDeployment(
  store: EndpointStore,
  record: EndpointRecord,
  deployment: DeploymentRecord,
  model: ModelRef,
  specPath: string,
  tags?: Record<string, string>,
): Promise<void> {
  const { options } = store;
  const id = serverKey(record.name, deployment.name);
  const previous = store.servers.get(id);
  const label = `deployment '${deployment.name}' of endpoint '${record.name}' (model ${model.name}:${model.version})`;
  let server: ScoringProcess | undefined;
  try {
    const version = await options.getModel(model);
    if (!version)
      throw new NotFoundError('model', `${model.name}:${model.version}`, `register or import it in ${options.environment} first`);
    const spec = await loadDeploymentSpec(specPath);
    await mkdir(join(options.dir, record.name), { recursive: true });
    server = new ScoringProcess(
      {
        label,
        scriptPath: spec.scriptPath,
        codeDir: spec.codeDir,
        modelDir: version.path,
        environmentVariables: spec.spec.environment_variables,
        liveness: spec.spec.liveness_probe,
        scoringTimeoutMs: spec.spec.request_settings.request_timeout_ms,
        logFile: join(options.dir, record.name, `${deployment.name}.log`),
      },
      {
        ...(options.logger ? { logger: options.logger } : {}),
        // A server that died or came back changes where requests go, before any save.
        onUrlChange: () =>
          void options.host
            .routingChanged(record.name)
            .catch((error: unknown) =>
              options.logger?.error(`the router was not told that ${label} changed`, { error: ensureError(error).message }),
            ),
      },
    );
    await server.start();
    store.servers.set(id, {
      process: server,
      requestTimeoutMs: spec.spec.request_settings.request_timeout_ms,
      collectionSamplingRate: collectedShare(spec.spec.data_collector),
      specDigest: spec.digest,
    });
    Object.assign(deployment, { model, specPath, state: 'succeeded' as const });
    if (tags) deployment.tags = { ...tags };
    delete deployment.error;
    await previous?.process.stop();
  } catch (error) {
    await server?.stop();
    const message = ensureError(error).message;
    deployment.state = 'failed';
    deployment.error = previous
      ? `${message}\n(the previous model ${deployment.model.name}:${deployment.model.version} keeps serving)`
      : message;
    if (!previous) Object.assign(deployment, { model, specPath });
    options.logger?.error(`${label} failed`, { error: message });
  }
}
