import { join } from 'node:path';
import { ENVIRONMENTS, type EnvironmentName } from '../../shared/config/schema';
import { NotFoundError } from '../../shared/errors';
import type { Logger } from '../../shared/ports';
import type { Storage } from '../azure/storage';
import { InferenceCollector, type InferenceCollectorOptions } from './inference/inferenceCollector';
import { LocalEndpointHost, localMlWorkspace, type LocalMlWorkspace } from './workspace';

export interface LocalWorkspaces {
  workspaces: Record<EnvironmentName, LocalMlWorkspace>;
  endpointHost: LocalEndpointHost;
  stop(): Promise<void>;
}

export interface CreateLocalWorkspacesOptions {
  stateDir: string;
  storage: Storage;
  logger: Logger;
  /** Router port for all environments' endpoints. @default 7072 */
  port?: number;
  /**
   * Inference data collection of live requests into the `inference-data` container
   * (e.g. `excludeColumns` from autopilot.yaml); `false` turns it off.
   * @default collect staging and prod, nothing excluded
   */
  collection?: Omit<InferenceCollectorOptions, 'logger'> | false;
}

/**
 * The embedded ML backend: one workspace folder per environment, one router serving all
 * their endpoints. Saved endpoints are served again on start.
 */
export async function createLocalWorkspaces(options: CreateLocalWorkspacesOptions): Promise<LocalWorkspaces> {
  const collector =
    options.collection === false
      ? undefined
      : new InferenceCollector(options.storage.data, { ...options.collection, logger: options.logger });
  // The router in a process of its own, as Azure ML's; collection stays here (it hands requests back).
  const endpointHost = new LocalEndpointHost({
    port: options.port ?? 7072,
    logger: options.logger,
    ownProcess: true,
    ...(collector ? { collector } : {}),
  });
  await endpointHost.start();
  const blobBase = options.storage.clients.blob.url.replace(/\/$/, '');
  // Job inputs are blob URLs of this account; anything else is refused, not fetched.
  const fetchInput = async (url: string): Promise<Buffer> => {
    if (!url.startsWith(`${blobBase}/`)) throw new NotFoundError('job input', url, `only blobs under ${blobBase} can be job inputs`);
    const [container, ...rest] = decodeURIComponent(url.slice(blobBase.length + 1)).split('/');
    return (await options.storage.data.read({ container: container!, name: rest.join('/') })).content;
  };
  const workspaces = {} as Record<EnvironmentName, LocalMlWorkspace>;
  for (const environment of ENVIRONMENTS) {
    const workspace = localMlWorkspace({
      environment,
      rootDir: join(options.stateDir, 'workspaces', environment),
      endpointHost,
      fetchInput,
      logger: options.logger,
    });
    await workspace.start();
    workspaces[environment] = workspace;
  }
  return {
    workspaces,
    endpointHost,
    async stop() {
      await Promise.all(ENVIRONMENTS.map((e) => workspaces[e].stop()));
      await endpointHost.stop();
    },
  };
}
