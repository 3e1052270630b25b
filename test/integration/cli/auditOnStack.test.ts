import { BlobServiceClient } from '@azure/storage-blob';
import type { AuditEntry, Release } from '../../../shared/release/types';
import { startTestStack, waitFor, type TestStack } from '../e2e/localStack';
import { runCli } from './runCli';

// Deadlines only bound how long a failure takes.
jest.setTimeout(400_000);

let stack: TestStack;
const as = (principal: string) => ({ AUTOPILOT_URL: stack.api, AUTOPILOT_TOKEN: stack.token(principal) });

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

/** Too few rows for the pipeline's minRows (50): the data gate rejects it without training. */
const TINY_CSV = 'tenure_months,plan,label\n1,a,0\n2,b,1\n3,a,0\n';

describe('the audit log on the embedded stack, through the real CLI', () => {
  it('records an upload, a manual start and a monitor run with actor, pipeline and why; readers export it, only engineers act', async () => {
    const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
    await container.createIfNotExists();
    await container.getBlockBlobClient('default/tiny.csv').upload(TINY_CSV, TINY_CSV.length);
    const uploaded = await waitFor(
      'the upload to be rejected',
      async () => {
        const listed = await runCli(['releases', '--json'], as('local-reader'));
        return (JSON.parse(listed.stdout) as Release[]).find((r) => r.data?.blob === 'default/tiny.csv' && r.status === 'rejected');
      },
      { timeoutMs: 120_000 },
    );

    // A rejection ends the release badly for --wait (exit 1); the gate's stage shows as done with the verdict.
    const run = await runCli(['run', 'default', '--blob', 'default/tiny.csv', '--wait', '--interval', '0.2'], as('local-ml-engineer'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ended rejected/);
    expect(run.stdout).toMatch(/validate ✓ succeeded .*rejected: /);
    expect(run.stdout).not.toContain('✗');
    const manual = /Started release (\S+)/.exec(run.stdout)![1]!;

    const refused = await runCli(['monitors', 'run', 'default'], as('local-reader'));
    expect(refused.code).toBe(3);
    const monitor = await runCli(['monitors', 'run', 'default', '--json'], as('local-ml-engineer'));
    expect(monitor.code).toBe(0);
    expect(JSON.parse(monitor.stdout)).toMatchObject({ pipeline: 'default', trigger: 'manual', outcome: 'no-model' });
    const runs = await runCli(['monitors', 'list', 'default', '--json'], as('local-reader'));
    expect((JSON.parse(runs.stdout) as { trigger: string }[]).some((r) => r.trigger === 'manual')).toBe(true);

    const exported = await runCli(['audit', '--since', '1h', '--json'], as('local-reader'));
    expect({ code: exported.code, stderr: exported.stderr }).toEqual({ code: 0, stderr: '' });
    const { entries, truncated } = JSON.parse(exported.stdout) as { entries: AuditEntry[]; truncated: boolean };
    expect(truncated).toBe(false);
    expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort());
    expect(entries.every((e) => e.pipeline === 'default' && e.actor)).toBe(true);
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          releaseId: uploaded.id,
          actor: 'autopilot',
          action: 'create',
          why: expect.stringContaining('default/tiny.csv'),
        }),
        expect.objectContaining({ releaseId: uploaded.id, action: 'end at validate', to: { status: 'rejected', stage: 'validate' } }),
        expect.objectContaining({ releaseId: manual, actor: 'local-ml-engineer', action: 'create' }),
        expect.objectContaining({ releaseId: manual, actor: 'autopilot', action: 'start' }),
        expect.objectContaining({ actor: 'local-ml-engineer', action: 'monitor run', why: expect.stringContaining('no-model') }),
      ]),
    );

    const one = await runCli(['audit', '--release', manual], as('local-reader'));
    const rows = one.stdout.trim().split('\n').slice(1);
    expect(rows.every((line) => line.includes(manual))).toBe(true);
    expect(rows.map((line) => / (create|start|end at validate) /.exec(line)?.[1])).toEqual(['create', 'start', 'end at validate']);
    const none = await runCli(['audit', '--since', '2020-01-01', '--until', '2020-01-02'], as('local-reader'));
    expect(none.stdout).toBe('No audit entries from 2020-01-01T00:00:00.000Z to 2020-01-02T00:00:00.000Z.\n');

    const bad = await fetch(`${stack.api}/audit?since=2020-01-02&until=2020-01-01`, {
      headers: { authorization: `Bearer ${stack.token('local-reader')}` },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { where: 'until' } });
  });
});
