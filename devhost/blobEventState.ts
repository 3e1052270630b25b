import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { unquoteETag } from './blobCreatedEvent';
import { ensureError } from '../shared/errors';

const StateFile = z.object({ version: z.literal(1), seen: z.record(z.string(), z.string()) });

/**
 * Which version (eTag) of each blob has had its BlobCreated event settled, persisted in
 * `<stateDir>/blob-events-state.json`, plus the versions whose events are in flight.
 * Reconciliation emits only for versions in neither set.
 */
export class BlobEventState {
  private seen: Map<string, string>;
  private readonly inFlight = new Map<string, string>();
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly path: string,
    private readonly onSaveError: (message: string) => void = () => {},
  ) {
    this.seen = new Map(Object.entries(readState(path)));
  }

  static key(container: string, blobName: string): string {
    return `${container}/${blobName}`;
  }

  /** True when this version was emitted already (settled or in flight). */
  known(key: string, eTag: string): boolean {
    const bare = unquoteETag(eTag);
    return this.seen.get(key) === bare || this.inFlight.get(key) === bare;
  }

  markInFlight(key: string, eTag: string): void {
    this.inFlight.set(key, unquoteETag(eTag));
  }

  /** The event for this version was delivered or dead-lettered: never emit it again. */
  markSettled(key: string, eTag: string): void {
    const bare = unquoteETag(eTag);
    if (this.inFlight.get(key) === bare) this.inFlight.delete(key);
    this.seen.set(key, bare);
    this.scheduleSave();
  }

  /** Delivery did not finish (host stopping): let reconciliation emit it again later. */
  forget(key: string, eTag: string): void {
    if (this.inFlight.get(key) === unquoteETag(eTag)) this.inFlight.delete(key);
  }

  /** Drops blobs of a listed scope that no longer exist, so the file does not grow forever. */
  prune(scopePrefix: string, existing: ReadonlySet<string>): void {
    let changed = false;
    for (const key of this.seen.keys()) {
      if (key.startsWith(scopePrefix) && !existing.has(key)) {
        this.seen.delete(key);
        changed = true;
      }
    }
    if (changed) this.scheduleSave();
  }

  /** Writes soon, not on every event: bursts of uploads make one write. */
  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 200);
  }

  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const tmp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ version: 1, seen: Object.fromEntries(this.seen) }));
      renameSync(tmp, this.path);
    } catch (error) {
      this.onSaveError(`Could not save ${this.path}: ${ensureError(error).message}`);
    }
  }
}

function readState(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  try {
    return StateFile.parse(JSON.parse(readFileSync(path, 'utf8'))).seen;
  } catch {
    // A damaged file means re-emitting events for existing blobs; consumers are idempotent.
    return {};
  }
}
