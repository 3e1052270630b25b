import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalTokens } from '../../../adapters/local/tokens';
import { createAuthenticator } from '../../../adapters/auth/authenticator';
import type { Services } from '../../../adapters/compose';
import { mockFunctionsCore } from '../../fakes/functionsCoreModule';
import { serveInProcess } from '../../fakes/inProcessHost';
import { localTokenOf } from '../../fakes/localTokenOf';
import { loadOrCreateHostKeys } from '../../../devhost/hostKeys';
import { deadLetter, listDeadLetters, redeliverDeadLetter } from '../../../shared/notifications/deadLetters';
import type { NotificationJob } from '../../../shared/notifications/notificationJob';
import { sentKey } from '../../../shared/notifications/webhookDelivery';
import { MemoryQueue, MemoryTable } from '../release/fakes';
import { releaseEvent } from './fixtures';

/** functions/http/notifications.ts behind the local host's HTTP server, in process, on in-memory storage. */
const dir = mkdtempSync(join(tmpdir(), 'notification-routes-'));
const table = new MemoryTable();
const queue = new MemoryQueue<NotificationJob>();
const tokens = ensureLocalTokens(dir);
const fakeServices = {
  notifications: {
    deadLetters: (o: { limit?: number; pipeline?: string }) => listDeadLetters(table, o),
    redeliver: (id: string) => redeliverDeadLetter(table, queue, id, sentKey),
  },
  authenticate: createAuthenticator({}, tokens),
  releases: { audit: async (entry: Record<string, unknown>) => void audited.push(entry) },
  clock: { now: () => new Date('2026-12-04T10:00:00Z') },
};
const audited: Record<string, unknown>[] = [];
const tokenOf = (principal: string): string => localTokenOf(tokens.path, principal);

let host: { base: string; close(): Promise<void> } | undefined;

beforeAll(async () => {
  const core = mockFunctionsCore();
  (require('../../../functions/services') as typeof import('../../../functions/services')).provideServices(
    () => fakeServices as unknown as Services,
  );
  require('../../../functions/http/notifications');
  core.lock();
  host = await serveInProcess(core, loadOrCreateHostKeys(dir).keys);
});
afterAll(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (path: string, principal: string, method = 'GET') =>
  fetch(`${host!.base}/api/${path}`, { method, headers: { authorization: `Bearer ${tokenOf(principal)}` } });

describe('the dead-letter routes', () => {
  test('a reader lists dead letters; only an ML engineer may redeliver one, which queues it again from attempt 1', async () => {
    const job: NotificationJob = { pipeline: 'default', webhook: 'chat', kind: 'failed', event: releaseEvent('ReleaseFailed'), attempt: 8 };
    const letter = await deadLetter(table, job, {
      target: 'https://hooks.example/…',
      format: 'teams',
      problem: 'HTTP 503',
      at: new Date('2026-12-04T09:00:00Z'),
    });

    const listed = await call('notifications/dead-letters?limit=10', 'local-reader');
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { deadLetters: unknown[] }).deadLetters).toEqual([
      expect.objectContaining({ id: letter.id, target: 'https://hooks.example/…', attempts: 8 }),
    ]);
    expect((await call('notifications/dead-letters?limit=0', 'local-reader')).status).toBe(400);

    for (const principal of ['local-reader', 'local-data-scientist']) {
      expect((await call(`notifications/dead-letters/${letter.id}/redeliver`, principal, 'POST')).status).toBe(403);
    }
    expect(queue.sent).toHaveLength(0);
    const redelivered = await call(`notifications/dead-letters/${letter.id}/redeliver`, 'local-ml-engineer', 'POST');
    expect(redelivered.status).toBe(202);
    expect(audited).toEqual([
      expect.objectContaining({ actor: 'local-ml-engineer', action: 'redeliver notification', pipeline: letter.pipeline }),
    ]);
    expect(queue.sent.map((s) => s.message)).toEqual([{ ...job, attempt: 1 }]);
    expect((await call(`notifications/dead-letters/${letter.id}/redeliver`, 'local-ml-engineer', 'POST')).status).toBe(404);
    expect((await call('notifications/dead-letters/not-an-id/redeliver', 'local-ml-engineer', 'POST')).status).toBe(400);
  });
});
