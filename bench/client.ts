import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EndpointInfo } from '../shared/ports';
import { isTerminal, type Release } from '../shared/release/types';
import type { ChildStack } from '../devhost/childStack';
import { waitFor as pollUntil, type WaitForOptions } from '../test/support/waitFor';

/** What the bench does against a running stack: upload through the blob port, read releases and jobs. */
export class BenchClient {
  private readonly container: ContainerClient;
  /** For waitFor: polling a dead stack would only time out with "fetch failed". */
  readonly stackGone = () => {
    const reason = this.stack.exitReason();
    return reason && `the embedded stack ${reason}`;
  };

  constructor(
    private readonly stack: ChildStack,
    container = 'training-data',
  ) {
    this.container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient(container);
  }

  /** The stack's storage (Azurite), for what the bench reads there directly. */
  get connectionString(): string {
    return this.stack.connectionString;
  }

  async init(): Promise<void> {
    await this.container.createIfNotExists();
  }

  /** Uploads through the event-emitting blob proxy; resolves with the round trip and its end (t0). */
  async upload(blob: string, content: string): Promise<{ uploadMs: number; doneAt: number }> {
    const started = performance.now();
    await this.container.getBlockBlobClient(blob).upload(content, Buffer.byteLength(content));
    const uploadMs = performance.now() - started;
    return { uploadMs, doneAt: Date.now() };
  }

  async releases(): Promise<Release[]> {
    const response = await fetch(`${this.stack.api}/releases`, { headers: { authorization: `Bearer ${this.stack.token()}` } });
    if (!response.ok) throw new Error(`GET /api/releases answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { releases: Release[] }).releases;
  }

  /** Every environment's endpoints, as GET /api/endpoints lists them. */
  async endpoints(): Promise<EndpointInfo[]> {
    const response = await fetch(`${this.stack.api}/endpoints`, { headers: { authorization: `Bearer ${this.stack.token()}` } });
    if (!response.ok) throw new Error(`GET /api/endpoints answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { endpoints: EndpointInfo[] }).endpoints;
  }

  /** The host's default function key, which webhooks such as POST /api/alerts take as `?code=`. */
  functionKey(): string {
    const keys = JSON.parse(readFileSync(join(this.stack.stateDir, 'host-keys.json'), 'utf8')) as { functionKeys: Record<string, string> };
    const key = keys.functionKeys['default'];
    if (!key) throw new Error(`no default function key in ${join(this.stack.stateDir, 'host-keys.json')}`);
    return key;
  }

  get api(): string {
    return this.stack.api;
  }

  get endpointsUrl(): string {
    return this.stack.endpoints;
  }

  get stateDir(): string {
    return this.stack.stateDir;
  }

  async releaseOf(blob: string): Promise<Release | undefined> {
    return (await this.releases()).find((r) => r.data?.blob === blob);
  }

  async settledReleaseOf(blob: string, timeoutMs = 120_000): Promise<Release> {
    return waitFor(
      `the release of ${blob} to end`,
      async () => {
        const release = await this.releaseOf(blob);
        return release && isTerminal(release.status) ? release : undefined;
      },
      { timeoutMs, giveUpIf: this.stackGone },
    );
  }

  /** The training job's own start time, from the local workspace's job record. */
  async jobStartedAt(releaseId: string): Promise<string | undefined> {
    try {
      const record = JSON.parse(
        await readFile(join(this.stack.stateDir, 'workspaces/dev/jobs', `${releaseId}-train`, 'job.json'), 'utf8'),
      ) as { startedAt?: string };
      return record.startedAt;
    } catch {
      return undefined; // not written yet, or caught mid-write
    }
  }
}

export type { WaitForOptions };

/**
 * The tests' waitFor with the benchmarks' defaults: polling every 200 ms so the probes barely load
 * the stack being measured (figures come from timestamps the stack records), and 120 s to wait.
 */
export function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitForOptions = {},
): Promise<T> {
  return pollUntil(what, check, { timeoutMs: 120_000, intervalMs: 200, ...options });
}
