import { AlreadyExistsError, BadRequestError } from '../../../shared/errors';
import { appendAudit, auditDayPartition, listAudit, type NewAuditEntry } from '../../../shared/release/auditLog';
import { resolveSince } from '../../../shared/endpoints/deploymentLogs';
import { ReleaseRepository } from '../../../shared/release/repository';
import { MemoryTable } from './fakes';

const entry = (at: string, fields: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
  at,
  releaseId: 'r1',
  pipeline: 'default',
  actor: 'eli',
  action: 'approve',
  why: 'looks good',
  ...fields,
});

async function logWith(entries: NewAuditEntry[]): Promise<{ table: MemoryTable; repo: ReleaseRepository }> {
  const table = new MemoryTable();
  const repo = new ReleaseRepository(table);
  for (const e of entries) await repo.audit(e);
  return { table, repo };
}

describe('the audit log', () => {
  test('auditDayPartition names the UTC day of the entry', () => {
    expect(auditDayPartition('2026-12-04T23:59:59.999Z')).toBe('audit-day-20261204');
  });

  test('an entry is in its release log and in its day, and listAudit reads only the days of the range', async () => {
    const { table, repo } = await logWith([
      entry('2026-12-01T10:00:00.000Z', { action: 'create' }),
      entry('2026-12-02T10:00:00.000Z', { releaseId: 'r2', pipeline: 'churn' }),
      entry('2026-12-03T10:00:00.000Z', { action: 'cancel' }),
      entry('2026-12-09T10:00:00.000Z', { action: 'later' }),
    ]);
    expect((await repo.auditLog('r1')).map((e) => e.action)).toEqual(['create', 'cancel', 'later']);
    table.listed.length = 0;
    const page = await repo.listAudit({ since: '2026-12-01T12:00:00.000Z', until: '2026-12-03T10:00:00.000Z', limit: 100 });
    expect(page).toEqual({
      entries: [expect.objectContaining({ releaseId: 'r2' }), expect.objectContaining({ action: 'cancel' })],
      truncated: false,
    });
    expect(table.listed).toEqual(['audit-day-20261201', 'audit-day-20261202', 'audit-day-20261203']);
  });

  test('listAudit filters by pipeline and by release, and says when the limit cut the answer', async () => {
    const { repo } = await logWith([
      entry('2026-12-01T10:00:00.000Z'),
      entry('2026-12-01T11:00:00.000Z', { releaseId: 'r2', pipeline: 'churn' }),
      entry('2026-12-01T12:00:00.000Z', { releaseId: undefined, action: 'rollback' }),
    ]);
    const range = { since: '2026-12-01T00:00:00.000Z', until: '2026-12-01T23:00:00.000Z' };
    expect((await repo.listAudit({ ...range, pipeline: 'default', limit: 10 })).entries.map((e) => e.at.slice(11, 13))).toEqual([
      '10',
      '12',
    ]);
    expect((await repo.listAudit({ ...range, releaseId: 'r2', limit: 10 })).entries).toEqual([
      expect.objectContaining({ pipeline: 'churn' }),
    ]);
    expect(await repo.listAudit({ ...range, limit: 2 })).toMatchObject({ entries: [{}, {}], truncated: true });
  });

  test('appending never overwrites: a taken row key gets a fresh one and the first entry stays', async () => {
    const table = new MemoryTable();
    const keys = ['k1', 'k1', 'k2', 'k3'];
    await appendAudit(table, entry('2026-12-01T10:00:00.000Z', { why: 'first' }), () => keys.shift()!);
    await appendAudit(table, entry('2026-12-01T10:00:00.000Z', { why: 'second' }), () => keys.shift()!);
    expect((await table.list<{ why: string }>('audit-r1')).map((r) => r.value.why)).toEqual(['first', 'second']);
    await expect(appendAudit(table, entry('2026-12-01T10:00:00.000Z'), () => 'k1')).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  test('the repository offers no way to change or remove an entry', () => {
    const methods = Object.getOwnPropertyNames(ReleaseRepository.prototype).filter((name) => /audit/i.test(name));
    expect(methods.sort()).toEqual(['audit', 'auditLog', 'listAudit']);
  });

  test('listAudit refuses a range that ends before it starts or spans more than a year', async () => {
    const table = new MemoryTable();
    await expect(listAudit(table, { since: '2026-12-02T00:00:00Z', until: '2026-12-01T00:00:00Z', limit: 1 })).rejects.toThrow(
      new BadRequestError('until (2026-12-01T00:00:00Z) is before since (2026-12-02T00:00:00Z)', 'until'),
    );
    await expect(listAudit(table, { since: '2024-01-01T00:00:00Z', until: '2026-01-01T00:00:00Z', limit: 1 })).rejects.toThrow(
      /a range of 732 days is more than 366/,
    );
    // `since=999999d` resolves to a year before 0 ('-000711-…'): refused too, not an empty log.
    const ancient = resolveSince('999999d', new Date('2026-12-04T10:00:00Z'));
    await expect(listAudit(table, { since: ancient, until: '2026-12-04T10:00:00.000Z', limit: 1 })).rejects.toThrow(/more than 366/);
    // One release's log is one partition: any range will do.
    await expect(
      listAudit(table, { since: '1970-01-01T00:00:00.000Z', until: '2026-01-01T00:00:00Z', releaseId: 'r1', limit: 1 }),
    ).resolves.toEqual({ entries: [], truncated: false });
  });
});
