import { join } from 'node:path';
import { BlobServiceClient, newPipeline, StorageSharedKeyCredential } from '@azure/storage-blob';
import { blobNameProblem } from '../shared/events/blobName';
import { DEV_ACCOUNT, DEV_ACCOUNT_KEY } from './azurite';
import {
  blobUrl,
  synthesizeBlobCreatedEvent,
  unquoteETag,
  type BlobType,
  type BlobWrite,
  type EventGridSchemaEvent,
} from './blobCreatedEvent';
import { BlobEventState } from './blobEventState';
import { startBlobProxy, type ObservedBlobWrite, type RunningBlobProxy } from './blobProxy';
import { writeDeadLetterBlob } from './deadLetterBlob';
import { EventDispatcher } from './eventDispatcher';
import { describe, listBlobsPastUnlistable, type UnlistableBlobs } from './listBlobsPastUnlistable';
import { parseEventSubscriptions, subscriptionMatches, type EventSubscription, type EventSubscriptionInput } from './eventSubscription';
import { reconcileScopes } from './reconcileScopes';
import type { HostLogger } from './logger';
import { ensureError } from '../shared/errors';

export const DEAD_LETTER_CONTAINER = 'eventgrid-deadletter';

export interface BlobEventSourceOptions {
  /** Azurite's blob service (internal port, behind the proxy). */
  azuriteBlobPort: number;
  /** Public blob port the proxy listens on; 0 = a free port. @default 10000 */
  publicBlobPort?: number;
  eventSubscriptions: readonly EventSubscriptionInput[];
  stateDir: string;
  webhookUrl: (functionName: string) => string;
  logger: HostLogger;
  /** Scales Event Grid's retry waits and TTL. @default 1 */
  retryScale?: number;
  /** Period of the listing reconciliation; 0 turns the periodic run off. @default 60000 */
  reconcileIntervalMs?: number;
}

/**
 * The local replacement for Storage's Event Grid system topic: BlobCreated events from
 * the proxy as writes succeed, and from a listing reconciliation (on start and
 * periodically) for writes the proxy did not see, e.g. while the host was down.
 */
export class BlobEventSource {
  private proxy: RunningBlobProxy | undefined;
  private readonly azurite: BlobServiceClient;
  /** For listings: a 500 is Azurite refusing a name, not a blip, so the SDK's retries only delay the report. */
  private readonly lister: BlobServiceClient;
  private readonly state: BlobEventState;
  private readonly dispatcher: EventDispatcher;
  private readonly subscriptions: EventSubscription[];
  private reconcileTimer: NodeJS.Timeout | undefined;
  private reconciling: Promise<void> | undefined;
  private readonly logger: HostLogger;

  constructor(private readonly options: BlobEventSourceOptions) {
    this.logger = options.logger;
    this.subscriptions = parseEventSubscriptions(options.eventSubscriptions);
    this.azurite = new BlobServiceClient(
      `http://127.0.0.1:${options.azuriteBlobPort}/${DEV_ACCOUNT}`,
      new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY),
    );
    this.lister = new BlobServiceClient(
      `http://127.0.0.1:${options.azuriteBlobPort}/${DEV_ACCOUNT}`,
      newPipeline(new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY), { retryOptions: { maxTries: 1 } }),
    );
    this.state = new BlobEventState(join(options.stateDir, 'blob-events-state.json'), (m) => this.logger.warn(m));
    this.dispatcher = new EventDispatcher({
      subscriptions: this.subscriptions,
      webhookUrl: options.webhookUrl,
      logger: this.logger,
      retryScale: options.retryScale,
      deadLetter: async (sub, event) =>
        void (await writeDeadLetterBlob(this.azurite.getContainerClient(DEAD_LETTER_CONTAINER), DEV_ACCOUNT, sub, event)),
    });
  }

  get port(): number {
    return this.proxy?.port ?? 0;
  }

  get publicBlobUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.proxy = await startBlobProxy({
      port: this.options.publicBlobPort ?? 10000,
      targetPort: this.options.azuriteBlobPort,
      logger: this.logger,
      onBlobWritten: (write) => this.onProxyWrite(write),
    });
    await this.reconcile();
    const every = this.options.reconcileIntervalMs ?? 60_000;
    if (every > 0) {
      this.reconcileTimer = setInterval(() => void this.reconcile(), every);
      this.reconcileTimer.unref();
    }
  }

  /** No more events: reconciliation and delivery stop; blob writes still pass through the proxy. */
  async stopEmitting(): Promise<void> {
    clearInterval(this.reconcileTimer);
    await this.reconciling;
    this.dispatcher.stop();
  }

  async stop(): Promise<void> {
    await this.stopEmitting();
    await this.proxy?.close();
    this.state.flush();
  }

  /** Lists the subscribed containers and emits for every blob version not yet emitted. */
  reconcile(): Promise<void> {
    this.reconciling ??= this.listAndEmit()
      .catch((error: unknown) => this.logger.warn(`Blob event reconciliation failed (will retry): ${describe(error)}`))
      .finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  private async listAndEmit(): Promise<void> {
    let emitted = 0;
    for (const { container, prefix } of await reconcileScopes(this.azurite, this.subscriptions, [DEAD_LETTER_CONTAINER])) {
      const client = this.lister.getContainerClient(container);
      if (!(await client.exists())) continue;
      const existing = new Set<string>();
      let complete = true;
      const unlistable = ({ after, resumedAfter, clean, reason }: UnlistableBlobs) => {
        complete = false;
        const from = after ? `after '${after}'` : 'at its start';
        this.logger.warn(
          resumedAfter !== undefined
            ? `Blob event reconciliation skipped names in ${container}/${prefix}* ${from} that the storage cannot list (${reason}): ` +
                `they begin ${JSON.stringify(clean)} and then a control character. They get no BlobCreated event; delete or rename them. Listing went on after them.`
            : `Blob event reconciliation cannot list ${container}/${prefix}* ${from.replace('after', 'past')}: ${reason}. ` +
                `The next blob's name is likely invalid in XML (a control character): delete or rename it; blobs after it are reconciled once it is gone. Other containers and prefixes go on.`,
        );
      };
      for await (const blob of listBlobsPastUnlistable(client, prefix, unlistable)) {
        const key = BlobEventState.key(container, blob.name);
        existing.add(key);
        const eTag = blob.properties.etag ?? '';
        if (!eTag || this.state.known(key, eTag)) continue;
        emitted++;
        this.emit({
          account: DEV_ACCOUNT,
          container,
          blobName: blob.name,
          api: blob.properties.blobType === 'BlockBlob' || !blob.properties.blobType ? 'PutBlockList' : 'PutBlob',
          eTag,
          contentType: blob.properties.contentType ?? 'application/octet-stream',
          contentLength: blob.properties.contentLength ?? 0,
          blobType: (blob.properties.blobType ?? 'BlockBlob') as BlobType,
          url: blobUrl(this.publicBlobUrl, DEV_ACCOUNT, container, blob.name),
        });
      }
      // A partial listing proves nothing about the blobs it did not reach: keep their state.
      if (complete) this.state.prune(BlobEventState.key(container, prefix), existing);
    }
    if (emitted > 0) this.logger.info(`Reconciliation found ${emitted} blob version(s) without a BlobCreated event; emitting them`);
  }

  private onProxyWrite(write: ObservedBlobWrite): void {
    const eTag = String(write.responseHeaders.etag ?? '');
    if (!eTag) return;
    const key = BlobEventState.key(write.container, write.blobName);
    // Claim this version now, before the listing can see it, so it is emitted once.
    this.state.markInFlight(key, eTag);
    void this.describe(write, eTag).then(
      (event) => this.emit(event),
      (error: unknown) => {
        this.state.forget(key, eTag);
        this.logger.warn(`Could not read ${key} after a write; reconciliation will emit its event: ${ensureError(error).message}`);
      },
    );
  }

  /** Fills length and type from the blob itself (Put Block List and Copy Blob do not carry them). */
  private async describe(write: ObservedBlobWrite, eTag: string): Promise<BlobWrite> {
    const header = (name: string) => {
      const v = write.requestHeaders[name] ?? write.responseHeaders[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const props = await this.azurite.getContainerClient(write.container).getBlobClient(write.blobName).getProperties();
    const sameVersion = unquoteETag(props.etag ?? '') === unquoteETag(eTag);
    return {
      account: write.account,
      container: write.container,
      blobName: write.blobName,
      api: write.api,
      eTag,
      contentType: (sameVersion ? props.contentType : undefined) ?? header('x-ms-blob-content-type') ?? 'application/octet-stream',
      contentLength: sameVersion ? (props.contentLength ?? 0) : Number(header('content-length') ?? 0),
      blobType: (write.blobType ?? props.blobType ?? 'BlockBlob') as BlobType,
      url: blobUrl(this.publicBlobUrl, write.account, write.container, write.blobName),
      requestId: header('x-ms-request-id'),
      clientRequestId: header('x-ms-client-request-id'),
    };
  }

  private emit(write: BlobWrite): void {
    const key = BlobEventState.key(write.container, write.blobName);
    const event: EventGridSchemaEvent = synthesizeBlobCreatedEvent(write);
    // A subscriber would refuse this name (`..`, `//`, …) at every listing: report this version once and settle it.
    const problem = blobNameProblem(write.blobName);
    if (problem) {
      if (!this.subscriptions.some((s) => subscriptionMatches(s, event))) return;
      this.logger.warn(
        `No BlobCreated event for ${JSON.stringify(key).slice(1, -1)}: blob name ${JSON.stringify(write.blobName)} ${problem}. No release starts from it; upload it again under a valid name.`,
      );
      this.state.markSettled(key, write.eTag);
      return;
    }
    this.state.markInFlight(key, write.eTag);
    const { matched, settled } = this.dispatcher.publish(event);
    if (matched === 0) {
      this.state.forget(key, write.eTag);
      return;
    }
    settled.then(
      () => this.state.markSettled(key, write.eTag),
      () => this.state.forget(key, write.eTag),
    );
  }
}
