import { BlobServiceClient } from '@azure/storage-blob';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHostLogger, type HostLogger } from '../../../devhost/logger';
import { startSupervisedAzurite } from '../../../devhost/supervisedAzurite';
import { waitFor } from '../../support/waitFor';

/** The embedded stack's Azurite killed under it: it comes back on the same ports with what it had acknowledged. */
const dir = mkdtempSync(join(tmpdir(), 'supervised-azurite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function recordingLogger(): { logger: HostLogger; lines: string[] } {
  const lines: string[] = [];
  const base = createHostLogger({ minLevel: 'none' });
  const logger: HostLogger = {
    ...base,
    log: (level, message) => void lines.push(`${level} ${message}`),
    info: (message) => void lines.push(`info ${message}`),
    warn: (message) => void lines.push(`warn ${message}`),
    error: (message) => void lines.push(`error ${message}`),
    child: () => logger,
  };
  return { logger, lines };
}

describe('startSupervisedAzurite', () => {
  it('starts Azurite again on the same ports and data folder when its process is killed, keeping what it acknowledged', async () => {
    const { logger, lines } = recordingLogger();
    const azurite = await startSupervisedAzurite({ logger, location: join(dir, 'a') });
    try {
      const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('kept');
      await container.create();
      await container.getBlockBlobClient('x.csv').upload('a,b\n1,2\n', 8);
      const first = azurite.pid!;
      process.kill(first, 'SIGKILL');
      await waitFor('Azurite to be back', () => lines.some((l) => l === 'info Azurite is back'), { timeoutMs: 60_000 });
      expect(azurite.pid).not.toBe(first);
      expect(lines).toContainEqual(expect.stringMatching(/^warn Azurite killed by SIGKILL; starting it again/));
      expect((await container.getBlockBlobClient('x.csv').downloadToBuffer()).toString()).toBe('a,b\n1,2\n');
    } finally {
      await azurite.stop();
    }
    expect(lines.filter((l) => l === 'info Azurite is back')).toHaveLength(1);
  });

  it('gives up, saying so, when Azurite keeps dying', async () => {
    const { logger, lines } = recordingLogger();
    const azurite = await startSupervisedAzurite({ logger, location: join(dir, 'b'), maxRestartsPerMinute: 1, now: () => 0 });
    process.kill(azurite.pid!, 'SIGKILL');
    await waitFor('the first restart', () => lines.includes('info Azurite is back'), { timeoutMs: 60_000 });
    process.kill(azurite.pid!, 'SIGKILL');
    const how = await azurite.exited;
    expect(how.signal).toBe('SIGKILL');
    expect(lines.at(-1)).toMatch(/^error Azurite killed by SIGKILL, 2 times within a minute; not restarting it/);
  });
});
