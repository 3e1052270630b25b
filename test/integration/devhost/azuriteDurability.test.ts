import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { TableClient } from '@azure/data-tables';
import { connectionStringFor, type AzuritePorts } from '../../../devhost/azurite';
import { waitFor } from '../../support/waitFor';

const RUNNER = join(__dirname, '..', '..', 'fixtures', 'azurite', 'runAzurite.ts');
const REPO_ROOT = join(__dirname, '..', '..', '..');

interface Launched {
  child: ChildProcess;
  ports: AzuritePorts;
  exited: Promise<void>;
}

/** Starts the devhost's Azurite launcher in its own process group, as the stack runs it. */
function launch(location: string): Promise<Launched> {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, location], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let output = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
      const ready = /^READY (.*)$/m.exec(output);
      if (ready) resolve({ child, ports: JSON.parse(ready[1]!) as AzuritePorts, exited });
    });
    child.once('exit', (code) => reject(new Error(`Azurite launcher exited with ${code}:\n${output}`)));
  });
}

/** SIGKILL to the whole group: the launcher and Azurite die as in a hard crash. */
async function crash(launched: Launched): Promise<void> {
  process.kill(-launched.child.pid!, 'SIGKILL');
  await launched.exited;
  // Azurite itself is another process of the group: wait until its port is closed.
  await waitFor('the killed Azurite to release its port', async () => !(await accepts(launched.ports.table)));
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function killQuietly(launched: Launched | undefined): void {
  try {
    if (launched) process.kill(-launched.child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

describe('Azurite as the stack runs it, killed with SIGKILL right after an acknowledged write', () => {
  let location: string;
  let running: Launched | undefined;

  beforeEach(() => {
    location = mkdtempSync(join(tmpdir(), 'azurite-durable-'));
  });
  afterEach(() => {
    killQuietly(running);
    rmSync(location, { recursive: true, force: true });
  });

  it('keeps the blob, the table entity and the queue message it acknowledged', async () => {
    running = await launch(location);
    const connection = connectionStringFor(running.ports);
    const container = BlobServiceClient.fromConnectionString(connection).getContainerClient('training-data');
    await container.create();
    await container.getBlockBlobClient('default/acked.csv').upload('a,b\n1,2\n', 8);
    const table = TableClient.fromConnectionString(connection, 'releases', { allowInsecureConnection: true });
    await table.createTable();
    await table.createEntity({ partitionKey: 'default', rowKey: 'r1', status: 'succeeded' });
    await table.updateEntity({ partitionKey: 'default', rowKey: 'r1', status: 'succeeded', stage: 'done' }, 'Merge');
    const queue = QueueServiceClient.fromConnectionString(connection).getQueueClient('steps');
    await queue.create();
    await queue.sendMessage('step-1');
    // Concurrent writes share saves: each must still be on disk before its answer.
    const names = Array.from({ length: 12 }, (_, i) => `default/burst-${i}.csv`);
    await Promise.all([
      ...names.map((name) => container.getBlockBlobClient(name).upload(name, name.length)),
      ...names.map((name, i) => table.upsertEntity({ partitionKey: 'burst', rowKey: String(i), name })),
    ]);

    await crash(running);
    running = await launch(location);

    const after = connectionStringFor(running.ports);
    const blob = BlobServiceClient.fromConnectionString(after).getContainerClient('training-data').getBlockBlobClient('default/acked.csv');
    const entity = await TableClient.fromConnectionString(after, 'releases', { allowInsecureConnection: true })
      .getEntity<{ status: string; stage: string }>('default', 'r1')
      .then(
        (e) => ({ status: e.status, stage: e.stage }),
        (error: { statusCode?: number }) => `read failed: ${error.statusCode}`,
      );
    const peeked = await QueueServiceClient.fromConnectionString(after)
      .getQueueClient('steps')
      .peekMessages()
      .then(
        (p) => p.peekedMessageItems.map((m) => m.messageText),
        (error: { statusCode?: number }) => `peek failed: ${error.statusCode}`,
      );
    const burstBlobs: string[] = [];
    for await (const item of BlobServiceClient.fromConnectionString(after)
      .getContainerClient('training-data')
      .listBlobsFlat({ prefix: 'default/burst-' })) {
      burstBlobs.push(item.name);
    }
    const burstRows: string[] = [];
    for await (const row of TableClient.fromConnectionString(after, 'releases', { allowInsecureConnection: true }).listEntities<{
      name: string;
    }>({ queryOptions: { filter: "PartitionKey eq 'burst'" } })) {
      burstRows.push(row.name);
    }
    expect({
      blob: (await blob.exists()) ? (await blob.downloadToBuffer()).toString() : 'missing',
      entity,
      queue: peeked,
      burstBlobs: burstBlobs.sort(),
      burstRows: burstRows.sort(),
    }).toEqual({
      blob: 'a,b\n1,2\n',
      entity: { status: 'succeeded', stage: 'done' },
      queue: ['step-1'],
      burstBlobs: [...names].sort(),
      burstRows: [...names].sort(),
    });
  }, 60_000);

  it('stops, saved, when only the process that started it is killed (no Azurite left holding the ports)', async () => {
    running = await launch(location);
    const connection = connectionStringFor(running.ports);
    const table = TableClient.fromConnectionString(connection, 'audit', { allowInsecureConnection: true });
    await table.createTable();
    await table.createEntity({ partitionKey: 'p', rowKey: 'a1', action: 'approve' });

    process.kill(running.child.pid!, 'SIGKILL');
    await running.exited;
    await waitFor('Azurite to stop after its parent died', async () => !(await accepts(running!.ports.table)), { timeoutMs: 20_000 });
    running = await launch(location);

    const entity = await TableClient.fromConnectionString(connectionStringFor(running.ports), 'audit', {
      allowInsecureConnection: true,
    }).getEntity('p', 'a1');
    expect(entity['action']).toBe('approve');
  }, 60_000);

  it('does not acknowledge a write it could not save, and a later read returns it only once saved', async () => {
    running = await launch(location);
    const connection = connectionStringFor(running.ports);
    const table = TableClient.fromConnectionString(connection, 'events', {
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 0 },
    });
    await table.createTable();
    // LokiJS saves to '<db>~' and renames it: a folder in its way makes the save fail for real.
    const blocker = join(location, '__azurite_db_table__.json~');
    mkdirSync(blocker);
    const write = await table.createEntity({ partitionKey: 'e', rowKey: '1', type: 'ReleaseSucceeded' }).then(
      () => 'acknowledged',
      () => 'failed',
    );
    expect(write).toBe('failed');

    rmSync(blocker, { recursive: true });
    const read = await table.getEntity<{ type: string }>('e', '1');
    expect(read.type).toBe('ReleaseSucceeded');
    await crash(running);
    running = await launch(location);
    const after = await TableClient.fromConnectionString(connectionStringFor(running.ports), 'events', {
      allowInsecureConnection: true,
    }).getEntity<{ type: string }>('e', '1');
    expect(after.type).toBe('ReleaseSucceeded');
  }, 60_000);
});
