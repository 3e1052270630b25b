import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { FunctionInvoker } from '../../../devhost/functionInvoker';
import { FunctionsCore } from '../../../devhost/functionsCore';
import { createHostLogger } from '../../../devhost/logger';
import { LOCK_CONTAINER, timerLocks } from '../../../devhost/timerLock';
import { TimerScheduler } from '../../../devhost/timerScheduler';
import { waitFor } from '../../support/waitFor';

const LEASE_SECONDS = 15; // the shortest lease storage grants: the takeover after a crash waits this long
const HOST_ID = 'scaleout-test';
let azurite: RunningAzurite;
let dir: string;
const runs: string[] = [];
const logger = createHostLogger({ write: () => undefined });

/** One instance of the app: its own state folder and instance id, the shared storage account. */
function instance(name: string, clock: { now: number } = { now: Number.NaN }): TimerScheduler {
  const core = new FunctionsCore();
  // Once a year: the test drives every tick itself.
  core.registerFunction(
    { name: 'sweeper', bindings: { timer: { type: 'timerTrigger', direction: 'in', schedule: '0 0 0 1 1 *' } } },
    () => {
      runs.push(name);
    },
  );
  const locks = timerLocks({
    connectionString: azurite.connectionString,
    hostId: HOST_ID,
    instanceId: randomUUID(),
    leaseSeconds: LEASE_SECONDS,
    now: () => (Number.isNaN(clock.now) ? Date.now() : clock.now),
    logger,
  });
  const stateDir = mkdtempSync(join(dir, `${name}-`));
  return new TimerScheduler(core.byTrigger('timerTrigger'), stateDir, new FunctionInvoker(core, logger, undefined), logger, locks);
}

beforeAll(async () => {
  azurite = await startAzurite();
  dir = mkdtempSync(join(tmpdir(), 'timer-lock-'));
});

afterAll(async () => {
  await azurite?.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  runs.length = 0;
});

describe('timers on two instances sharing one storage account', () => {
  it('run on one instance per tick, and the other takes over at its next tick when that one stops', async () => {
    const clockA = { now: Number.NaN };
    const a = instance('a', clockA);
    const b = instance('b');
    const ran: boolean[][] = [];
    for (let tick = 0; tick < 8; tick++) ran.push(await Promise.all([a.tick('sweeper'), b.tick('sweeper')]));
    expect(ran.map((r) => r.filter(Boolean).length)).toEqual(Array(8).fill(1));
    expect(runs).toHaveLength(8);
    const holder = runs[0]!;
    expect(runs).toEqual(Array(8).fill(holder));
    const [first, second] = holder === 'a' ? [a, b] : [b, a];

    // Its own clock says the lease lapsed (renewals failed): it asks storage again and still holds it.
    if (holder === 'a') clockA.now = Date.now() + 2 * LEASE_SECONDS * 1000;
    expect(await first.tick('sweeper')).toBe(true);
    expect(await second.tick('sweeper')).toBe(false);
    clockA.now = Number.NaN;

    // A clean stop gives the lease up: the next tick runs on the other instance.
    await first.stop();
    expect(await second.tick('sweeper')).toBe(true);
    expect(runs.at(-1)).not.toBe(holder);
    await second.stop();
  });

  it('waits for the lease of an instance that died holding it to expire, then runs there', async () => {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(LOCK_CONTAINER);
    await container.createIfNotExists();
    // What a crashed instance leaves: its lease on the timer's lock blob, renewed by nobody.
    const blob = container.getBlockBlobClient(`locks/${HOST_ID}/Host.Functions.sweeper.Listener`);
    await blob.upload('', 0).catch(() => undefined);
    const dead = blob.getBlobLeaseClient(randomUUID());
    await dead.acquireLease(LEASE_SECONDS).catch(async () => {
      await dead.breakLease(0);
      await dead.acquireLease(LEASE_SECONDS);
    });
    const survivor = instance('survivor');
    expect(await survivor.tick('sweeper')).toBe(false);
    // Ticks until the lease ends; none of them ran the timer until then.
    await waitFor('the survivor to take the timer over', () => survivor.tick('sweeper'), { timeoutMs: 60_000 });
    expect(runs).toEqual(['survivor']);
    await expect(dead.renewLease()).rejects.toMatchObject({ statusCode: 409 });
    await survivor.stop();
  });
});
