import { ModelView } from '../../../cli/apiSchemas';
import { formatModelsTable } from '../../../cli/commands/models';
import { STAGES } from '../../../shared/release/types';
import { elapsedMs, formatAge, formatDuration } from '../../../cli/format/duration';
import { formatMetrics, formatModel } from '../../../cli/format/modelRef';
import { formatReleaseBlock, formatStageLine } from '../../../cli/format/releaseView';
import { renderTable, truncate } from '../../../cli/format/table';
import { formatTraffic, formatTrafficWithMirror } from '../../../cli/format/traffic';
import { formatEndpointsTable } from '../../../cli/commands/endpoints';
import { formatReleasesTable } from '../../../cli/commands/releases';
import { ReleaseView } from '../../../cli/apiSchemas';

const now = new Date('2025-05-01T12:00:00.000Z');

function release(fields: Record<string, unknown>): ReleaseView {
  return ReleaseView.parse({
    id: 'rel-1',
    pipeline: 'default',
    status: 'running',
    stage: 'train',
    trigger: { kind: 'blob' },
    createdAt: '2025-05-01T11:58:48.000Z',
    updatedAt: '2025-05-01T11:59:00.000Z',
    ...fields,
  });
}

describe('formatDuration', () => {
  test('shows tenths of seconds under a minute, then minutes and seconds, then hours and minutes', () => {
    expect(formatDuration(4130)).toBe('4.1 s');
    expect(formatDuration(0)).toBe('0.0 s');
    expect(formatDuration(59_990)).toBe('59.9 s');
    expect(formatDuration(72_000)).toBe('1m 12s');
    expect(formatDuration(3_723_000)).toBe('1h 02m');
    expect(formatDuration(-5)).toBe('0.0 s');
  });
});

describe('formatAge', () => {
  test('says how long ago in the largest sensible unit', () => {
    expect(formatAge('2025-05-01T11:59:58Z', now)).toBe('just now');
    expect(formatAge('2025-05-01T11:59:18Z', now)).toBe('42s ago');
    expect(formatAge('2025-05-01T11:55:00Z', now)).toBe('5m ago');
    expect(formatAge('2025-05-01T09:00:00Z', now)).toBe('3h ago');
    expect(formatAge('2025-04-28T12:00:00Z', now)).toBe('3d ago');
    expect(formatAge(undefined, now)).toBe('-');
  });

  test('elapsedMs measures open intervals up to now', () => {
    expect(elapsedMs('2025-05-01T11:59:00Z', undefined, now)).toBe(60_000);
    expect(elapsedMs('2025-05-01T11:59:00Z', '2025-05-01T11:59:04.100Z', now)).toBe(4100);
    expect(elapsedMs(undefined, undefined, now)).toBeUndefined();
  });
});

describe('formatTraffic', () => {
  test('lists deployments as name=percent, biggest share first', () => {
    expect(formatTraffic({ green: 10, blue: 90 })).toBe('blue=90 green=10');
    expect(formatTraffic({ b: 50, a: 50 })).toBe('a=50 b=50');
    expect(formatTraffic({})).toBe('-');
  });

  test('adds mirrored traffic only when some is mirrored', () => {
    expect(formatTrafficWithMirror({ blue: 100 }, { green: 10 })).toBe('blue=100 (mirror green=10)');
    expect(formatTrafficWithMirror({ blue: 100 }, { green: 0 })).toBe('blue=100');
  });
});

describe('renderTable', () => {
  test('aligns columns under upper-case headers and leaves no trailing blanks', () => {
    expect(
      renderTable(
        ['id', 'status', 'reason'],
        [
          ['rel-1', '✓ succeeded', ''],
          ['rel-22', '✗ failed', 'job exited 1'],
        ],
      ),
    ).toEqual(['ID      STATUS       REASON', 'rel-1   ✓ succeeded', 'rel-22  ✗ failed     job exited 1']);
  });

  test('truncate shortens long text with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});

describe('stage lines', () => {
  test('a finished stage shows its mark, duration and detail; a running one its elapsed time so far', () => {
    expect(
      formatStageLine(
        'train',
        { status: 'succeeded', startedAt: '2025-05-01T11:59:00Z', endedAt: '2025-05-01T11:59:04.100Z', attempts: 1 },
        now,
      ),
    ).toBe('  train          ✓ 4.1 s   succeeded');
    expect(
      formatStageLine('evaluate', { status: 'running', startedAt: '2025-05-01T11:59:58Z', detail: 'scoring holdout', attempts: 1 }, now),
    ).toBe('  evaluate       … 2.0 s   scoring holdout');
    expect(formatStageLine('promote', undefined, now)).toBe('  promote        ·');
    expect(
      formatStageLine(
        'validate',
        {
          status: 'failed',
          startedAt: '2025-05-01T11:59:00Z',
          endedAt: '2025-05-01T11:59:00.500Z',
          detail: 'no label column',
          attempts: 1,
        },
        now,
      ),
    ).toBe('  validate       ✗ 0.5 s   no label column');
  });

  test('a release block has a header with status, elapsed time and model, every stage, and the reason', () => {
    const lines = formatReleaseBlock(
      release({
        status: 'rejected',
        stage: 'evaluate',
        model: { name: 'default', version: 2 },
        endedAt: '2025-05-01T11:59:00.000Z',
        reason: 'auc below floor',
      }),
      now,
    );
    expect(lines[0]).toBe('default  rel-1  ⊘ rejected  12.0 s  model default v2');
    expect(lines).toHaveLength(1 + STAGES.length + 1);
    expect(lines.at(-1)).toBe('  reason: auc below floor');
  });
});

describe('tables of releases and endpoints', () => {
  test('the releases table has id, pipeline, status, stage, model, age and reason', () => {
    const [header, row] = formatReleasesTable([release({ model: { name: 'default', version: 3 }, reason: 'x'.repeat(100) })], now);
    expect(header).toMatch(/^ID\s+PIPELINE\s+STATUS\s+STAGE\s+MODEL\s+AGE\s+REASON$/);
    expect(row).toMatch(/^rel-1\s+default\s+… running\s+train\s+default v3\s+1m ago\s+x{79}…$/);
  });

  test('the endpoints table shows the traffic split as blue=90 green=10', () => {
    const lines = formatEndpointsTable([
      {
        name: 'default-prod',
        environment: 'prod',
        scoringUri: 'http://h/score',
        traffic: { green: 10, blue: 90 },
        mirrorTraffic: {},
        deployments: [],
      },
    ]);
    expect(lines[1]).toBe('default-prod  prod         http://h/score  blue=90 green=10');
  });

  test('models and metrics read compactly', () => {
    expect(formatModel({ name: 'default', version: 4 })).toBe('default v4');
    expect(formatModel(undefined)).toBe('-');
    expect(formatMetrics({ auc: 0.912345, rows: 1000 })).toBe('auc=0.912 rows=1000');
    expect(formatMetrics({ rmse: 4.2137, r2: 0.87312, log_loss: 0.41 })).toBe('rmse(lower)=4.21 r2=0.873 log_loss(lower)=0.41');
  });

  test('the models table says which versions are MLflow models (deployable without code)', () => {
    const now = new Date('2026-12-04T12:00:00Z');
    const view = (version: number, format?: string) =>
      ModelView.parse({
        name: 'iris',
        version,
        environment: 'dev',
        createdAt: '2026-12-04T11:00:00Z',
        metrics: { auc: 0.9 },
        ...(format && { format }),
      });
    const lines = formatModelsTable([view(1), view(2, 'mlflow_model')], now);
    expect(lines[0]).toMatch(/^NAME\s+VERSION\s+ENVIRONMENT\s+FORMAT\s+CREATED\s+METRICS$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[3])).toEqual(['custom', 'mlflow']);
  });
});
