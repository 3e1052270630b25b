import { InvalidArgumentError } from 'commander';
import { tmpdir } from 'node:os';
import { AlertView, MonitorRunView, ReleaseView } from '../../../cli/apiSchemas';
import { formatAlertsTable } from '../../../cli/commands/alerts';
import { formatAuditTable } from '../../../cli/commands/audit';
import { formatMonitorRun, formatMonitorRunsTable } from '../../../cli/commands/monitors';
import { ApiError, ApiUnreachableError, EXIT } from '../../../cli/errors';
import { formatReleaseBlock } from '../../../cli/format/releaseView';
import { TransitionTracker } from '../../../cli/format/transitions';
import type { CliIo } from '../../../cli/io';
import { main } from '../../../cli/main';
import { parseTimeOption } from '../../../cli/parsers';

const now = new Date('2026-12-04T12:00:00.000Z');

describe('parseTimeOption (--since, --until)', () => {
  test('accepts spans back from now and ISO times, trimmed, as typed', () => {
    expect(parseTimeOption('24h', now)).toBe('24h');
    expect(parseTimeOption(' 7d ', now)).toBe('7d');
    expect(parseTimeOption('90s', now)).toBe('90s');
    expect(parseTimeOption('2026-12-01T10:00:00Z', now)).toBe('2026-12-01T10:00:00Z');
    expect(parseTimeOption('2026-12-01', now)).toBe('2026-12-01');
  });

  test('refuses words, bare numbers and loose dates, saying what is expected', () => {
    for (const bad of ['yesterday', '7', '7 days', '1 May 2026', '', '-1h']) {
      expect(() => parseTimeOption(bad, now)).toThrow(InvalidArgumentError);
    }
    expect(() => parseTimeOption('yesterday', now)).toThrow(
      /neither an ISO time \(2025-05-01T10:00:00Z\) nor a span back from now \(90s, 15m, 1h, 2d\)/,
    );
  });

  test('a bad --since is a usage error (exit 2) before any request', async () => {
    const err: string[] = [];
    const io: CliIo = {
      env: { AUTOPILOT_URL: 'http://127.0.0.1:1/api' },
      cwd: tmpdir(),
      stdout: { write: () => true },
      stderr: { write: (t: string) => err.push(t) },
    };
    expect(await main(['node', 'autopilot', 'audit', '--since', 'last week'], io)).toBe(EXIT.usage);
    expect(err.join('')).toContain("option '--since <time>' argument 'last week' is invalid");
  });
});

describe('exit codes', () => {
  test('the API status picks the code: 401 and 403 are auth, 404 not found, the rest a failure', () => {
    expect(new ApiError(401, 'Unauthenticated', 'no token').exitCode).toBe(3);
    expect(new ApiError(403, 'Forbidden', 'reader').exitCode).toBe(3);
    expect(new ApiError(404, 'NotFound', 'gone').exitCode).toBe(4);
    expect(new ApiError(400, 'BadRequest', 'no').exitCode).toBe(1);
    expect(new ApiError(500, 'InternalError', 'x').exitCode).toBe(1);
    expect(new ApiUnreachableError('http://x/api', 'connection refused').exitCode).toBe(5);
    expect(EXIT).toEqual({ ok: 0, failed: 1, usage: 2, auth: 3, notFound: 4, unreachable: 5 });
  });
});

describe('a rejected release', () => {
  const base = {
    id: 'r1',
    pipeline: 'default',
    status: 'rejected',
    stage: 'register',
    trigger: { kind: 'blob' },
    createdAt: '2026-12-04T11:00:00Z',
    updatedAt: '2026-12-04T11:01:00Z',
    endedAt: '2026-12-04T11:01:00Z',
    reason: 'evaluation gate: auc 0.61 below floor 0.7',
  };
  const stages = (register: Record<string, unknown>) => ({
    evaluate: {
      status: 'succeeded',
      startedAt: '2026-12-04T11:00:30Z',
      endedAt: '2026-12-04T11:00:40Z',
      detail: 'rejected: auc 0.61 below floor 0.7',
    },
    register: { startedAt: '2026-12-04T11:00:40Z', endedAt: '2026-12-04T11:01:00Z', ...register },
  });

  test('shows its register stage as done with the verdict, not as failed', () => {
    const release = ReleaseView.parse({
      ...base,
      stages: stages({ status: 'succeeded', detail: 'rejected: evaluation gate: auc 0.61 below floor 0.7' }),
    });
    const register = formatReleaseBlock(release, now).find((line) => line.trimStart().startsWith('register'));
    expect(register).toMatch(/^ {2}register\s+✓ 20\.0 s\s+rejected: evaluation gate/);
  });

  test('a record stored before the fix (register failed) is shown the same way, in the block and in transitions', () => {
    const release = ReleaseView.parse({
      ...base,
      stages: stages({ status: 'failed', detail: 'evaluation gate: auc 0.61 below floor 0.7' }),
    });
    expect(formatReleaseBlock(release, now).find((line) => line.includes('register'))).toMatch(/register\s+✓ .*rejected: evaluation gate/);
    const lines = new TransitionTracker().lines([release], now);
    expect(lines.find((line) => line.includes(' register '))).toMatch(/register ✓ succeeded/);
    expect(lines.join('\n')).not.toContain('✗');
  });
});

describe('monitor, alert and audit tables', () => {
  const run = MonitorRunView.parse({
    id: 'm-1',
    pipeline: 'default',
    at: '2026-12-04T11:00:00.000Z',
    trigger: 'manual',
    endpoint: 'default-prod',
    outcome: 'drift',
    rows: 840,
    window: { from: '2026-12-04T10:00:00.000Z', to: '2026-12-04T11:00:00.000Z' },
    unreadable: { malformedLines: 0, outsideRange: 0, vanishedBlobs: 0, samples: [] },
    reasons: ['x: PSI 0.41 > 0.2', 'color: chi2 p 0.001'],
    retrain: { releaseId: 'default-r9', rows: 5000, sources: [] },
  });

  test('monitor runs list time, trigger, outcome, rows, retraining and reasons', () => {
    const [header, row] = formatMonitorRunsTable([
      run,
      MonitorRunView.parse({ ...run, id: 'm-0', outcome: 'ok', reasons: [], retrain: { skipped: 'cooling down' } }),
    ]);
    expect(header).toMatch(/^TIME\s+TRIGGER\s+OUTCOME\s+ROWS\s+RETRAIN\s+REASONS$/);
    expect(row).toMatch(/^2026-12-04T11:00:00.000Z\s+manual\s+drift\s+840\s+release default-r9\s+x: PSI 0.41 > 0.2; color: chi2 p 0.001$/);
    expect(formatMonitorRunsTable([MonitorRunView.parse({ ...run, retrain: { skipped: 'cooling down' } })])[1]).toContain(
      'skipped (cooling down)',
    );
  });

  test('a monitor run prints its outcome, then each reason', () => {
    expect(formatMonitorRun(run)).toEqual([
      'default monitor m-1: drift on 840 rows of default-prod; retrain: release default-r9',
      '  - x: PSI 0.41 > 0.2',
      '  - color: chi2 p 0.001',
    ]);
  });

  test('alerts show what fired and what was done', () => {
    const alert = AlertView.parse({
      alert: {
        alertId: 'a1',
        rule: 'high-latency',
        condition: 'Fired',
        severity: 'Sev2',
        service: 'Platform',
        targets: [
          '/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/onlineEndpoints/default-prod',
        ],
        firedAt: '2026-12-04T10:59:00Z',
      },
      receivedAt: '2026-12-04T11:00:00Z',
      outcome: 'rolled_back',
      endpoints: ['default-prod'],
      releases: ['default-r8'],
    });
    expect(formatAlertsTable([alert])[1]).toMatch(
      /^2026-12-04T11:00:00Z\s+high-latency\s+Fired\s+Sev2\s+rolled_back\s+default-prod\s+default-r8$/,
    );
  });

  test('audit entries show pipeline, release (or -), actor, action, transition and why', () => {
    const lines = formatAuditTable([
      {
        at: '2026-12-04T11:00:00.000Z',
        releaseId: 'default-r8',
        pipeline: 'default',
        actor: 'eli',
        action: 'rollback',
        from: { status: 'running', stage: 'canary' },
        to: { status: 'rolled_back', stage: 'canary' },
        why: 'latency',
      },
      { at: '2026-12-04T11:05:00.000Z', pipeline: 'default', actor: 'eli', action: 'rollback', why: 'hand deploy' },
    ]);
    expect(lines[1]).toMatch(/default\s+default-r8\s+eli\s+rollback\s+running\/canary → rolled_back\/canary\s+latency$/);
    expect(lines[2]).toMatch(/default\s+-\s+eli\s+rollback\s+hand deploy$/);
  });
});
