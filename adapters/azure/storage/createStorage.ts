import type { TokenCredential } from '@azure/core-auth';
import { TableClient } from '@azure/data-tables';
import { Agent } from 'node:https';
import { BlobServiceClient, newPipeline as newBlobPipeline, type RequestPolicyFactory } from '@azure/storage-blob';
import { QueueServiceClient, newPipeline as newQueuePipeline } from '@azure/storage-queue';
import type { Clock } from '../../../shared/ports';
import { BlobDataStore } from './BlobDataStore';
import { QueueMessageQueue } from './QueueMessageQueue';
import { StorageEventLog } from './StorageEventLog';
import { TableStateTable } from './TableStateTable';
import { trustedCaPolicy } from '../armMlClient';

/** Where the storage account is: a connection string (Azurite, keys) or URLs + Entra ID. */
export type StorageTarget =
  { connectionString: string } | { accountUrl: { blob: string; queue: string; table: string }; credential: TokenCredential };

export interface CreateStorageOptions {
  /** Table holding the event log. @default events */
  eventsTable?: string;
  /** Used by the event log for partitions and look-back. @default the system clock */
  clock?: Clock;
  /** Blobs per listing page. @default 5000 */
  listPageSize?: number;
  /** PEM of an extra CA to trust with `accountUrl` (a local HTTPS emulator in tests). @default the system CAs */
  trustedCa?: string;
}

export interface Storage {
  readonly data: BlobDataStore;
  /** One state table per name; the same instance for the same name. */
  table(name: string): TableStateTable;
  queue<M>(name: string): QueueMessageQueue<M>;
  readonly events: StorageEventLog;
  /** The raw SDK clients, for what the ports do not cover (listing containers, tests). */
  readonly clients: { blob: BlobServiceClient; queue: QueueServiceClient; table(name: string): TableClient };
}

/**
 * Builds the storage adapters on the real SDKs. The same code serves Azure (pass
 * `accountUrl` + `DefaultAzureCredential`) and Azurite (pass its connection string).
 */
export function createStorage(target: StorageTarget, options: CreateStorageOptions = {}): Storage {
  const blob =
    'connectionString' in target
      ? BlobServiceClient.fromConnectionString(target.connectionString)
      : new BlobServiceClient(target.accountUrl.blob, trusting(newBlobPipeline(target.credential), options.trustedCa));
  const queue =
    'connectionString' in target
      ? QueueServiceClient.fromConnectionString(target.connectionString)
      : new QueueServiceClient(target.accountUrl.queue, trusting(newQueuePipeline(target.credential), options.trustedCa));
  const tableClient = (name: string): TableClient => {
    // Tables refuses plain http unless told; Azurite serves http only.
    if ('connectionString' in target) {
      return TableClient.fromConnectionString(target.connectionString, name, {
        allowInsecureConnection: isInsecure(target.connectionString),
      });
    }
    return new TableClient(target.accountUrl.table, name, target.credential, {
      allowInsecureConnection: target.accountUrl.table.startsWith('http:'),
      ...(options.trustedCa
        ? { additionalPolicies: [{ policy: trustedCaPolicy(trustingAgent(options.trustedCa)), position: 'perCall' as const }] }
        : {}),
    });
  };

  const tables = new Map<string, TableStateTable>();
  const queues = new Map<string, QueueMessageQueue<unknown>>();
  const table = (name: string): TableStateTable => {
    let existing = tables.get(name);
    if (!existing) tables.set(name, (existing = new TableStateTable(tableClient(name))));
    return existing;
  };
  const events = new StorageEventLog(table(options.eventsTable ?? 'events'), {
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    data: new BlobDataStore(blob, options.listPageSize ? { listPageSize: options.listPageSize } : {}),
    table,
    queue<M>(name: string): QueueMessageQueue<M> {
      let existing = queues.get(name);
      if (!existing) queues.set(name, (existing = new QueueMessageQueue<unknown>(queue.getQueueClient(name))));
      return existing as QueueMessageQueue<M>;
    },
    events,
    clients: { blob, queue, table: tableClient },
  };
}

function isInsecure(connectionString: string): boolean {
  return /UseDevelopmentStorage=true|DefaultEndpointsProtocol=http(;|$)|Endpoint=http:/i.test(connectionString);
}

const agents = new Map<string, Agent>();
function trustingAgent(ca: string): Agent {
  let agent = agents.get(ca);
  if (!agent) agents.set(ca, (agent = new Agent({ ca, keepAlive: true })));
  return agent;
}

/** Blob and Queue clients take a per-request agent only through a pipeline policy factory. */
function trusting<P extends { factories: RequestPolicyFactory[] }>(pipeline: P, ca: string | undefined): P {
  if (ca) {
    const trust: RequestPolicyFactory = {
      create: (next) => ({ sendRequest: (request) => ((request.agent = trustingAgent(ca)), next.sendRequest(request)) }),
    };
    pipeline.factories.push(trust);
  }
  return pipeline;
}
