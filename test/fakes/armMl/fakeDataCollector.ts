import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import { BlobServiceClient, newPipeline, StorageSharedKeyCredential } from '@azure/storage-blob';
import { DEV_ACCOUNT, DEV_ACCOUNT_KEY } from '../../../devhost/azurite';
import { ArmHttpError, fakeWorkspaceId, type ArmMlFake } from './ArmMlFake';
import type { ScoringCall, ScoringView } from './FakeScoring';

const STORAGE_ACCOUNT = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+)$/i;
export const STORAGE_API_VERSION = '2023-05-01';

/**
 * Azure ML's data collector over a real (HTTPS, OAuth) Azurite standing for each workspace's
 * storage account: every workspace gets `properties.storageAccount` and a `workspaceblobstore`
 * datastore, ARM answers the account's blob endpoint ("Storage Accounts - Get Properties"),
 * and each answered call to a deployment that collects `request`/`response` is written as
 * the collector writes it (MicrosoftDocs/azure-ai-docs how-to-collect-production-data.md,
 * "Store collected data in Blob Storage": `modelDataCollector/{endpoint}/{deployment}/
 * {collection}/{yyyy}/{MM}/{dd}/{HH}/{instance}.jsonl`, one CloudEvent per line).
 */
export class FakeDataCollector {
  private readonly pending = new Set<Promise<unknown>>();
  private readonly blob: BlobServiceClient;

  /** `blobEndpoint`: the HTTPS Azurite's account URL; `ca`: its certificate, trusted by the fake's own writes. */
  constructor(
    private readonly arm: ArmMlFake,
    private readonly blobEndpoint: string,
    ca: string,
  ) {
    const pipeline = newPipeline(new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY));
    const agent = new Agent({ ca, keepAlive: true });
    pipeline.factories.push({ create: (next) => ({ sendRequest: (request) => ((request.agent = agent), next.sendRequest(request)) }) });
    this.blob = new BlobServiceClient(blobEndpoint, pipeline);
    arm.addRoute((method, url) => {
      const m = STORAGE_ACCOUNT.exec(url.pathname);
      if (!m || method !== 'GET') return undefined;
      if (url.searchParams.get('api-version') !== STORAGE_API_VERSION)
        throw new ArmHttpError(
          400,
          'InvalidApiVersionParameter',
          `api-version '${url.searchParams.get('api-version')}' is not supported here`,
        );
      return [
        200,
        {
          id: url.pathname,
          name: m[1],
          type: 'Microsoft.Storage/storageAccounts',
          properties: { primaryEndpoints: { blob: this.blobEndpoint } },
        },
      ];
    });
    arm.scoring.onScore((call, view) => this.collect(call, view));
  }

  /** The ARM id to put in a workspace's `properties.storageAccount`, and the datastore Azure creates with it. */
  registerWorkspace(workspacePath: string): { storageAccount: string } {
    const subscriptionAndGroup = workspacePath.split('/providers/')[0];
    this.arm.dataAccess.seedDatastore(workspacePath, 'workspaceblobstore', {
      accountName: 'devstoreaccount1',
      containerName: containerOf(workspacePath),
      credentialsType: 'AccountKey',
    });
    return { storageAccount: `${subscriptionAndGroup}/providers/Microsoft.Storage/storageAccounts/devstoreaccount1` };
  }

  /** Resolves once every collected call so far is in storage (the collector's own delay, ended by the test). */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private collect(call: ScoringCall, view: ScoringView): void {
    const deployment = call.deployment!;
    const collecting = view.collecting?.[deployment] ?? [];
    if (call.status !== 200 || !collecting.includes('request') || !collecting.includes('response')) return;
    const workspacePath = view.id.split('/onlineEndpoints/')[0]!;
    const correlationid = randomUUID();
    const time = new Date(call.at);
    // Request events carry the path with its query and the method; response events do not (the documented examples).
    const event = (type: string, data: unknown) =>
      JSON.stringify({
        specversion: '1.0',
        id: randomUUID(),
        source: `${view.id}/deployments/${deployment}`,
        type: `azureml.inference.${type}`,
        datacontenttype: 'application/json',
        time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        data,
        ...(type === 'request' ? { path: call.path, method: 'POST' } : {}),
        correlationid,
        xrequestid: correlationid,
      });
    let request: unknown;
    try {
      request = JSON.parse(call.request ?? '');
    } catch {
      request = call.request;
    }
    const write = (async () => {
      const container = this.blob.getContainerClient(containerOf(workspacePath));
      await container.createIfNotExists();
      for (const [collection, line] of [
        ['request', event('request', request)],
        ['response', event('response', call.answer)],
      ] as const) {
        const name = `modelDataCollector/${call.endpoint}/${deployment}/${collection}/${hourPath(time)}/${randomUUID()}.jsonl`;
        await container.getBlockBlobClient(name).upload(`${line}\n`, Buffer.byteLength(`${line}\n`));
      }
    })();
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write)).catch(() => undefined);
  }
}

/** Azure names the default container `azureml-blobstore-{workspaceId}`. */
function containerOf(workspacePath: string): string {
  return `azureml-blobstore-${fakeWorkspaceId(workspacePath)}`;
}

function hourPath(time: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${time.getUTCFullYear()}/${two(time.getUTCMonth() + 1)}/${two(time.getUTCDate())}/${two(time.getUTCHours())}`;
}
