import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LocalEndpointHost,
  localMlWorkspace,
  type LocalDeploymentInfo,
  type LocalEndpointHostOptions,
  type LocalMlWorkspace,
} from '../../adapters/local/workspace';

export interface LocalProdEndpointOptions {
  /** A fresh temporary folder with this prefix, removed by stop(); or `root`, a folder the test made (also removed). */
  tmpPrefix?: string;
  root?: string;
  /** The router's options besides its port (always a free one). */
  host?: Omit<LocalEndpointHostOptions, 'port'>;
  /** The model registered as version 1, with this text as its model.json. @default '{}' */
  model: { name: string; json?: string };
  endpoint: string;
  /** Deployment name -> deployment YAML, all deployed at once with model version 1. */
  deployments: Record<string, string>;
}

export interface LocalProdEndpoint {
  root: string;
  host: LocalEndpointHost;
  prod: LocalMlWorkspace;
  /** What deploy() answered, in the order of `deployments`. */
  deployed: LocalDeploymentInfo[];
  /** Stops the workspace and the router and removes the folder. */
  stop(): Promise<void>;
}

/**
 * The set-up many local endpoint tests share: a router on a free port, the prod workspace
 * on a temporary folder, one registered model, and one endpoint with its deployments.
 */
export async function startLocalProdEndpoint(options: LocalProdEndpointOptions): Promise<LocalProdEndpoint> {
  const root = options.root ?? mkdtempSync(join(tmpdir(), options.tmpPrefix ?? 'local-prod-'));
  const host = new LocalEndpointHost({ ...options.host, port: 0 });
  let prod: LocalMlWorkspace | undefined;
  const stop = async () => {
    await prod?.stop();
    await host.stop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await host.start();
    prod = localMlWorkspace({
      environment: 'prod',
      rootDir: join(root, 'prod'),
      endpointHost: host,
      fetchInput: async () => Buffer.alloc(0),
    });
    await prod.start();
    const modelDir = join(root, 'model');
    mkdirSync(modelDir);
    writeFileSync(join(modelDir, 'model.json'), options.model.json ?? '{}');
    await prod.models.registerModel({ name: options.model.name, source: { path: modelDir }, idempotencyKey: 'v1' });
    const model = { name: options.model.name, version: 1 };
    const workspace = prod;
    const deployed = await Promise.all(
      Object.entries(options.deployments).map(([deployment, specPath]) =>
        workspace.endpoints.deploy({ endpoint: options.endpoint, deployment, model, specPath }),
      ),
    );
    return { root, host, prod, deployed, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
