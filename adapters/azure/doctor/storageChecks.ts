import { TableServiceClient, odata } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { checkResult, messageOf, redactTokens, type CheckResult } from '../../../shared/doctor';
import type { DoctorStorageTarget } from './doctorStorageTarget';
import { ensureError } from '../../../shared/errors';

/** The same names as adapters/compose.ts (STEPS_QUEUE, STATE_TABLE) and the event log's table; a unit test keeps them equal. */
export const STEPS_QUEUE = 'autopilot-steps';
export const STATE_TABLES = ['autopilot', 'events'] as const;

export interface StorageNeeds {
  /** Containers new training data lands in (the pipelines' `data.container`): nothing in the app creates them. */
  dataContainers: readonly string[];
  /** The release artifacts container (DEFAULT_ENGINE_OPTIONS.artifactsContainer): the app creates it on first write. */
  artifactsContainer: string;
}

interface Clients {
  blob: BlobServiceClient;
  queue: QueueServiceClient;
  table: TableServiceClient;
}

const INFRA = 'infra/main.json creates it in Azure';
const ON_FIRST_USE = 'the function app creates it on first use, given the storage roles infra/main.json grants';

/**
 * Is the storage account reachable, and do the containers, the steps queue and the state tables
 * exist? A missing data container fails (releases start from blobs written into it); the rest
 * the app creates on first use, so their absence only warns. Each fix is the `az storage` command.
 */
export async function checkStorage(target: DoctorStorageTarget, needs: StorageNeeds, signal?: AbortSignal): Promise<CheckResult[]> {
  if (target.kind === 'missing') {
    return [
      checkResult(
        'storage',
        'fail',
        `AzureWebJobsStorage is not set (looked at ${target.lookedAt})`,
        'Set AzureWebJobsStorage to the storage connection string ("UseDevelopmentStorage=true" for the local stack), or AzureWebJobsStorage__accountName to use the managed identity; local.settings.json Values work too',
      ),
    ];
  }
  if (target.kind === 'invalid') return [checkResult('storage', 'fail', target.message)];
  const clients = createClients(target);
  const where = target.kind === 'identity' ? target.urls.blob : clients.blob.url;
  const flag = target.azCredentialFlag;
  const results: CheckResult[] = [];
  try {
    // The first call doubles as the reachability check: one clear line instead of one per resource.
    const exists = await clients.blob
      .getContainerClient(needs.dataContainers[0] ?? needs.artifactsContainer)
      .exists({ abortSignal: signal });
    results.push(checkResult('storage', 'ok', `account ${target.accountName} answers at ${origin(where)}; using ${target.source}`));
    const containers = [...new Set([...needs.dataContainers, needs.artifactsContainer])];
    for (const [i, name] of containers.entries()) {
      const found = i === 0 ? exists : await clients.blob.getContainerClient(name).exists({ abortSignal: signal });
      const isData = needs.dataContainers.includes(name);
      results.push(
        found
          ? checkResult(`storage: container ${name}`, 'ok', 'exists')
          : checkResult(
              `storage: container ${name}`,
              isData ? 'fail' : 'warn',
              isData ? 'missing: new training data has nowhere to land' : 'missing',
              `az storage container create --name ${name} ${flag}\n(${isData ? `${INFRA}; locally \`autopilot upload\` creates it on the first upload` : `${ON_FIRST_USE}; ${INFRA}`})`,
            ),
      );
    }
    const queueFound = await clients.queue.getQueueClient(STEPS_QUEUE).exists({ abortSignal: signal });
    results.push(
      queueFound
        ? checkResult(`storage: queue ${STEPS_QUEUE}`, 'ok', 'exists')
        : checkResult(
            `storage: queue ${STEPS_QUEUE}`,
            'warn',
            'missing',
            `az storage queue create --name ${STEPS_QUEUE} ${flag}\n(${ON_FIRST_USE}; \`npm start\` creates it locally; ${INFRA})`,
          ),
    );
    for (const table of STATE_TABLES) {
      const found = await tableExists(clients.table, table, signal);
      results.push(
        found
          ? checkResult(`storage: table ${table}`, 'ok', 'exists')
          : checkResult(
              `storage: table ${table}`,
              'warn',
              'missing',
              `az storage table create --name ${table} ${flag}\n(${ON_FIRST_USE}; ${INFRA})`,
            ),
      );
    }
    return results;
  } catch (error) {
    return [...results, storageFailure(error, target, where)];
  }
}

function createClients(target: ReachableTarget): Clients {
  // Few retries: the doctor reports an unreachable account, it does not wait for it.
  const retryOptions = { maxTries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 1000 };
  if (target.kind === 'connectionString') {
    const insecure = /DefaultEndpointsProtocol=http(;|$)|Endpoint=http:/i.test(target.connectionString);
    return {
      blob: BlobServiceClient.fromConnectionString(target.connectionString, { retryOptions }),
      queue: QueueServiceClient.fromConnectionString(target.connectionString, { retryOptions }),
      table: TableServiceClient.fromConnectionString(target.connectionString, {
        allowInsecureConnection: insecure,
        retryOptions: { maxRetries: 1 },
      }),
    };
  }
  return {
    blob: new BlobServiceClient(target.urls.blob, target.credential, { retryOptions }),
    queue: new QueueServiceClient(target.urls.queue, target.credential, { retryOptions }),
    table: new TableServiceClient(target.urls.table, target.credential, {
      allowInsecureConnection: target.urls.table.startsWith('http:'),
      retryOptions: { maxRetries: 1 },
    }),
  };
}

async function tableExists(client: TableServiceClient, name: string, signal?: AbortSignal): Promise<boolean> {
  for await (const table of client.listTables({ queryOptions: { filter: odata`TableName eq ${name}` }, abortSignal: signal })) {
    if (table.name === name) return true;
  }
  return false;
}

function storageFailure(error: unknown, target: ReachableTarget, where: string): CheckResult {
  const status = (error as { statusCode?: number }).statusCode;
  const code = (error as { code?: string; details?: { errorCode?: string } }).details?.errorCode ?? (error as { code?: string }).code;
  const message = redactTokens(messageOf(error).split('\n')[0]!);
  // The Entra ID credential of identity-based storage failed: its message names account, setting and roles.
  const credentialError = findCause(error, 'StorageCredentialError');
  if (credentialError)
    return checkResult(
      'storage',
      'fail',
      redactTokens(messageOf(credentialError)),
      'Run `az login` locally; in Azure enable the managed identity (infra/main.json does)',
    );
  if (status === 403 || status === 401) {
    const fix =
      target.kind === 'identity'
        ? `Grant the identity Storage Blob Data Owner, Storage Queue Data Contributor and Storage Table Data Contributor on account ${target.accountName} (infra/main.json does for the function app): az role assignment create --assignee <object-id> --role "Storage Blob Data Owner" --scope <storage account id>`
        : 'The account key in AzureWebJobsStorage is wrong or rotated; copy the current connection string: az storage account show-connection-string --name <account>';
    return checkResult(
      'storage',
      'fail',
      `account ${target.accountName} refused the request (HTTP ${status} ${code ?? ''}): ${message}`.trim(),
      fix,
    );
  }
  if (status === undefined) {
    return checkResult(
      'storage',
      'fail',
      `cannot reach ${origin(where)} (${code ?? message}) using ${target.source}`,
      /127\.0\.0\.1|localhost|devstoreaccount1/i.test(where)
        ? 'Start the local stack (`npm start`), which runs Azurite, or point AzureWebJobsStorage at a reachable account'
        : 'Check the account name and the network path (firewall, private endpoint) to the storage account',
    );
  }
  return checkResult('storage', 'fail', `account ${target.accountName} answered HTTP ${status} ${code ?? ''}: ${message}`);
}

type ReachableTarget = Extract<DoctorStorageTarget, { kind: 'connectionString' | 'identity' }>;

/** The SDKs wrap credential failures; walk the causes to the one we threw. */
function findCause(error: unknown, name: string): unknown {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (ensureError(e).name === name) return e;
  }
  return undefined;
}

function origin(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url;
  }
}
