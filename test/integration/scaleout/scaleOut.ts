import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { join, resolve } from 'node:path';
import { startChildStack, type ChildStack } from '../../../devhost/childStack';
import { waitFor } from '../../support/waitFor';
import { generateCsv } from '../../../examples/tabular/generate';
import type { Release } from '../../../shared/release/types';
import { FakeAzureCloud } from '../../fakes/azureCloud/FakeAzureCloud';
import { bundleExample } from '../../../scripts/bundleExample';
import { registryRoutes, type RegistryRoutes } from '../../fakes/armMl/registryRoutes';

const ROOT = resolve(__dirname, '../../..');
export const SUBSCRIPTION =
  '/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-mlops/providers/Microsoft.MachineLearningServices/workspaces';
export const PIPELINES = ['p1', 'p2', 'p3', 'p4', 'p5'];
const TERMINAL = new Set(['succeeded', 'rejected', 'failed', 'rolled_back', 'cancelled']);

/**
 * The app scaled out as Azure Functions does it: `hosts` instances (child processes) on one
 * storage account (the first host's Azurite; only it emits blob events) and one Azure (the
 * fakes: ARM ML workspaces, registry, scoring, Monitor, MLflow, Event Grid). `logs` holds all
 * each host printed.
 */
export interface ScaleOut {
  cloud: FakeAzureCloud;
  registry: RegistryRoutes;
  hosts: ChildStack[];
  logs: string[];
  container: ContainerClient;
  get<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

/** A model-like scorer: churn risk from the generator's main effects, so every candidate clears the gate's floor. */
function churnRisk(columns: string[], row: unknown[]): number {
  const value = (name: string) => row[columns.indexOf(name)];
  const contract = { 'month-to-month': 1, 'one-year': -0.4, 'two-year': -1.6 }[String(value('contract'))] ?? 0;
  const logit = -1.6 + contract - 0.045 * (Number(value('tenure_months')) - 20) + 0.37 * (Number(value('support_calls')) - 1.2);
  return 1 / (1 + Math.exp(-logit));
}

export async function startScaleOut(hosts: number, options: { startTimeoutMs?: number } = {}): Promise<ScaleOut> {
  bundleExample(); // the TypeScript example's code folder for Azure ML (the fixture's job and deployment)
  const cloud = await FakeAzureCloud.start({ workspaces: ['mlw-dev', 'mlw-staging', 'mlw-prod'].map((w) => `${SUBSCRIPTION}/${w}`) });
  const registry = registryRoutes(cloud.arm, {
    name: 'mlreg-scaleout',
    subscriptionId: '00000000-0000-0000-0000-0000000000bb',
    resourceGroup: 'rg-registry',
  });
  cloud.arm.addRoute(registry.route);
  cloud.arm.scoring.predictor = (_model, columns, rows) => {
    const p = rows.map((row) => churnRisk(columns, row));
    return { predictions: p.map((x) => (x >= 0.5 ? '1' : '0')), probabilities: p.map((x) => [1 - x, x]), classes: ['0', '1'] };
  };
  // Provisioning outlasts a step's wait: releases wait across steps (and hosts), as on Azure.
  cloud.arm.deploymentProvisioningMs = 1000;
  const env = {
    ...cloud.env,
    AUTOPILOT_REGISTRY_DISCOVERY_ENDPOINT: cloud.arm.url,
    AUTOPILOT_PROVISIONING_WAIT_SECONDS: '0.5',
    AUTOPILOT_PROVISIONING_POLL_SECONDS: '1',
  };
  const logs: string[] = [];
  const started: ChildStack[] = [];
  const config = join(ROOT, 'test/fixtures/scaleout/autopilot.yaml');
  const start = (index: number, joinStorage?: string) => {
    logs[index] = '';
    return startChildStack(config, {
      jobPollSeconds: '0.5',
      startTimeoutMs: options.startTimeoutMs ?? 180_000,
      env,
      onOutput: (chunk) => void (logs[index] += chunk),
      ...(joinStorage ? { joinStorage } : {}),
    });
  };
  try {
    started.push(await start(0));
    // The others start together, as the scale controller adds them.
    started.push(...(await Promise.all(Array.from({ length: hosts - 1 }, (_, i) => start(i + 1, started[0]!.connectionString)))));
  } catch (error) {
    await Promise.all(started.map((h) => h.stop()));
    await cloud.stop();
    throw error;
  }
  const first = started[0]!;
  const container = BlobServiceClient.fromConnectionString(first.connectionString).getContainerClient('training-data');
  await container.createIfNotExists();
  return {
    cloud,
    registry,
    hosts: started,
    logs,
    container,
    async get<T>(path: string): Promise<T> {
      const response = await fetch(`${first.api}${path}`, { headers: { authorization: `Bearer ${first.token()}` } });
      if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    async stop() {
      await Promise.all(started.map((h) => h.stop()));
      await cloud.stop();
    },
  };
}

/** `count` distinct CSVs, round-robin over the pipelines. */
export function uploadsFor(count: number, rows = 300): { blob: string; content: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    blob: `${PIPELINES[i % PIPELINES.length]}/u${String(i).padStart(3, '0')}.csv`,
    content: generateCsv({ rows, seed: 100 + i }),
  }));
}

/** Uploads them all at once; returns when each upload call returned (epoch ms), by blob. */
export async function uploadAll(scale: ScaleOut, uploads: { blob: string; content: string }[]): Promise<Map<string, number>> {
  const done = new Map<string, number>();
  await Promise.all(
    uploads.map(async ({ blob, content }) => {
      await scale.container.getBlockBlobClient(blob).upload(content, Buffer.byteLength(content));
      done.set(blob, Date.now());
    }),
  );
  return done;
}

/** Waits until every blob has a release in a terminal state; gives up if a host dies. */
export function settleAll(scale: ScaleOut, blobs: string[], timeoutMs: number): Promise<Release[]> {
  return waitFor(
    `releases of ${blobs.length} uploads`,
    async () => {
      const { releases } = await scale.get<{ releases: Release[] }>('/releases?limit=1000');
      const ended = blobs.map((b) => releases.find((r) => r.data?.blob === b && TERMINAL.has(r.status)));
      if (ended.every(Boolean)) return ended as Release[];
      // Thrown, so that a timeout says where the releases stood.
      const open = releases
        .filter((r) => !TERMINAL.has(r.status))
        .map((r) => `${r.data?.blob}: ${r.status} at ${r.stage} (${r.stages[r.stage]?.detail ?? r.reason ?? ''})`);
      throw new Error(`${blobs.length - ended.filter(Boolean).length} not ended; ${open.slice(0, 5).join('; ')}`);
    },
    {
      timeoutMs,
      intervalMs: 500,
      giveUpIf: () => scale.hosts.map((h, i) => h.exitReason() && `host ${i + 1} ${h.exitReason()}`).find(Boolean),
    },
  );
}

/** Steps each host ran, from its log (the releaseSteps function logs one line per step). */
export function stepsRunBy(log: string): number {
  return log.split('\n').filter((line) => /\[releaseSteps\].*step \w+ \(\w+\) of \S+: now /.test(line)).length;
}
