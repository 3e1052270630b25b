/**
 * What a time range of the audit log costs on Table Storage (Azurite): the day index
 * (one partition query per day) against a scan (list the releases, then read each
 * release's own log), on a table with `releases` releases of `perRelease` entries spread
 * over `days` days. Run: node --import tsx bench/auditQuery.ts [releases] [days]
 */
import { TableClient } from '@azure/data-tables';
import { TableStateTable } from '../adapters/azure/storage/TableStateTable';
import { startAzurite } from '../devhost/azurite';
import { ReleaseRepository } from '../shared/release/repository';
import type { AuditEntry, Release } from '../shared/release/types';

async function main(): Promise<void> {
  const releases = Number(process.argv[2] ?? 300);
  const days = Number(process.argv[3] ?? 30);
  const perRelease = 8;
  const azurite = await startAzurite();
  try {
    const table = new TableStateTable(
      TableClient.fromConnectionString(azurite.connectionString, 'benchaudit', { allowInsecureConnection: true }),
    );
    const repo = new ReleaseRepository(table);
    const end = Date.parse('2026-12-04T00:00:00Z');
    const seeded = Date.now();
    for (let i = 0; i < releases; i++) {
      const created = new Date(end - (days * 86_400_000 * (i + 1)) / releases);
      const id = `default-r${String(i).padStart(5, '0')}`;
      const at = created.toISOString();
      await repo.insert({
        id,
        pipeline: 'default',
        status: 'succeeded',
        stage: 'promote',
        trigger: { kind: 'blob' },
        metrics: {},
        deployments: {},
        stages: {},
        createdAt: at,
        updatedAt: at,
      } as Release);
      await Promise.all(
        Array.from({ length: perRelease }, (_, k) =>
          repo.audit({
            at: new Date(created.getTime() + k * 60_000).toISOString(),
            releaseId: id,
            pipeline: 'default',
            actor: 'autopilot',
            action: `step ${k}`,
            why: 'bench',
          }),
        ),
      );
    }
    const seedMs = Date.now() - seeded;
    const since = new Date(end - 86_400_000).toISOString();
    const until = new Date(end).toISOString();
    const time = async <T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> => {
      const started = performance.now();
      const result = await run();
      return { ms: Math.round(performance.now() - started), result };
    };
    const scan = async (): Promise<AuditEntry[]> => {
      const all = await repo.list();
      const logs = await Promise.all(all.map((r) => repo.auditLog(r.id)));
      return logs.flat().filter((e) => e.at >= since && e.at <= until);
    };
    for (let warm = 0; warm < 2; warm++) await repo.listAudit({ since, until, limit: 10_000 });
    const index = await time(() => repo.listAudit({ since, until, limit: 10_000 }));
    const scanned = await time(scan);
    const week = await time(() => repo.listAudit({ since: new Date(end - 7 * 86_400_000).toISOString(), until, limit: 10_000 }));
    console.log(
      JSON.stringify(
        {
          releases,
          days,
          entries: releases * perRelease,
          seedMs,
          last24h: {
            entries: index.result.entries.length,
            dayIndexMs: index.ms,
            dayIndexQueries: 2,
            scanMs: scanned.ms,
            scanQueries: releases + 1,
            scanEntries: scanned.result.length,
          },
          last7d: { entries: week.result.entries.length, dayIndexMs: week.ms, dayIndexQueries: 8 },
        },
        null,
        2,
      ),
    );
  } finally {
    await azurite.stop();
  }
}

void main();
