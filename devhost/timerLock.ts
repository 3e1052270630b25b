import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlobServiceClient, type BlobLeaseClient, type ContainerClient } from '@azure/storage-blob';
import { ensureError } from '../shared/errors';
import type { HostLogger } from './logger';

/**
 * Where and how the Functions host keeps a timer a singleton across scaled-out instances:
 * the timer's listener holds a blob lease on `azure-webjobs-hosts/locks/<hostId>/<function>.Listener`
 * (Azure/azure-webjobs-sdk, src/Microsoft.Azure.WebJobs.Host/Singleton/SingletonListener.cs appends
 * ".Listener" to SingletonManager.FormatLockId's `<hostId>/<function full name>`, and
 * BlobLeaseDistributedLockManager.cs keeps locks under that container and folder). The lease lasts
 * SingletonOptions.ListenerLockPeriod (60 s; storage allows 15-60) and is renewed before it ends; an
 * instance without it tries again later, so a stopped holder is replaced once its lease expires.
 */
export const LOCK_CONTAINER = 'azure-webjobs-hosts';
export const DEFAULT_LOCK_SECONDS = 60;

export interface TimerLockOptions {
  connectionString: string;
  /** Shared by every instance of one app (Azure: the app name, `AzureFunctionsWebHost__hostid`). */
  hostId: string;
  /** This instance's lease id: stable across restarts, so a restarted host gets its own lease back at once. */
  instanceId: string;
  /** 15-60 (storage limits). @default 60 */
  leaseSeconds?: number;
  /** @default Date.now */
  now?: () => number;
  logger: HostLogger;
}

/** One timer's lock: `hold()` before each run; the holder renews the lease at half its length. */
export class TimerLock {
  private heldUntil = 0;
  private renewal: NodeJS.Timeout | undefined;
  private readonly lease: BlobLeaseClient;
  private readonly leaseMs: number;

  constructor(
    private readonly container: ContainerClient,
    readonly blobName: string,
    private readonly options: TimerLockOptions,
  ) {
    this.leaseMs = (options.leaseSeconds ?? DEFAULT_LOCK_SECONDS) * 1000;
    this.lease = container.getBlobClient(blobName).getBlobLeaseClient(options.instanceId);
  }

  /** True when this instance holds the lock now (taking it if it is free or expired). */
  async hold(): Promise<boolean> {
    const now = this.now();
    if (this.heldUntil > now) return true;
    try {
      await this.ensureBlob();
      // Acquiring with the id we already hold renews; another id's active lease answers 409.
      await this.lease.acquireLease(this.leaseMs / 1000);
      this.heldUntil = now + this.leaseMs;
      this.renewal ??= setInterval(() => void this.renew(), this.leaseMs / 2).unref();
      return true;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 409) {
        this.options.logger.warn(`Timer lock ${this.blobName}: could not take it (${ensureError(error).message}); skipping this run`);
      }
      return false;
    }
  }

  /** Gives the lock up (on a clean stop), so another instance takes over at its next tick. */
  async release(): Promise<void> {
    clearInterval(this.renewal);
    this.renewal = undefined;
    if (this.heldUntil === 0) return;
    this.heldUntil = 0;
    await this.lease.releaseLease().catch(() => undefined); // expired or taken: nothing to give up
  }

  private async renew(): Promise<void> {
    const now = this.now();
    try {
      await this.lease.renewLease();
      this.heldUntil = now + this.leaseMs;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      // 409: another instance took it after it expired. Otherwise keep what we have until it ends.
      if (status === 409 || status === 412) {
        this.heldUntil = 0;
        clearInterval(this.renewal);
        this.renewal = undefined;
      }
      this.options.logger.warn(`Timer lock ${this.blobName}: renewal failed (${ensureError(error).message})`);
    }
  }

  private async ensureBlob(): Promise<void> {
    await this.container.createIfNotExists();
    try {
      await this.container.getBlockBlobClient(this.blobName).upload('', 0, { conditions: { ifNoneMatch: '*' } });
    } catch (error) {
      // 409: it exists; 412: it exists and is leased.
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== 409 && status !== 412) throw error;
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

/** The locks of one host's timers, on the app's storage account. */
export function timerLocks(options: TimerLockOptions): (functionName: string) => TimerLock {
  const container = BlobServiceClient.fromConnectionString(options.connectionString).getContainerClient(LOCK_CONTAINER);
  return (functionName) => new TimerLock(container, `locks/${options.hostId}/Host.Functions.${functionName}.Listener`, options);
}

/** This host's instance id, kept in its state folder (each host of a scale-out has its own folder). */
export function instanceIdIn(stateDir: string): string {
  const path = join(stateDir, 'instance-id');
  if (existsSync(path)) {
    const saved = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f-]{36}$/.test(saved)) return saved;
  }
  const id = randomUUID();
  writeFileSync(path, id);
  return id;
}
