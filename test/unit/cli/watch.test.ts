import { ReleaseView } from '../../../cli/apiSchemas';
import { ApiUnreachableError } from '../../../cli/errors';
import { TransitionTracker } from '../../../cli/format/transitions';
import type { CliIo } from '../../../cli/io';
import { selectReleasesToShow } from '../../../cli/selectReleases';
import { watchReleases } from '../../../cli/watchReleases';

const now = new Date('2025-05-01T12:00:00.000Z');

function release(id: string, fields: Record<string, unknown> = {}): ReleaseView {
  return ReleaseView.parse({
    id,
    pipeline: 'default',
    status: 'running',
    stage: 'validate',
    trigger: { kind: 'blob' },
    createdAt: '2025-05-01T11:00:00Z',
    updatedAt: '2025-05-01T11:00:00Z',
    ...fields,
  });
}

function captureIo(tty: boolean): CliIo & { text: () => string } {
  const out: string[] = [];
  return {
    env: {},
    cwd: '/',
    stdout: { write: (t: string) => out.push(t), isTTY: tty, columns: 100 },
    stderr: { write: () => true },
    text: () => out.join(''),
  };
}

describe('selectReleasesToShow', () => {
  test('shows the newest release per pipeline plus every queued or running one, grouped by pipeline', () => {
    const shown = selectReleasesToShow([
      release('d-old', { status: 'succeeded', createdAt: '2025-05-01T09:00:00Z' }),
      release('d-running', { createdAt: '2025-05-01T10:00:00Z' }),
      release('d-new', { status: 'failed', createdAt: '2025-05-01T11:00:00Z' }),
      release('c-new', { pipeline: 'churn', status: 'succeeded', createdAt: '2025-05-01T08:00:00Z' }),
    ]);
    expect(shown.map((r) => r.id)).toEqual(['c-new', 'd-new', 'd-running']);
  });

  test('keeps a release shown before even after a newer one replaced it, so its end is seen', () => {
    const older = release('a', { status: 'succeeded', createdAt: '2025-05-01T09:00:00Z' });
    const newer = release('b', { createdAt: '2025-05-01T10:00:00Z' });
    expect(selectReleasesToShow([older, newer], new Set(['a'])).map((r) => r.id)).toEqual(['b', 'a']);
  });
});

describe('TransitionTracker', () => {
  test('prints each status change of a release and its stages once', () => {
    const tracker = new TransitionTracker();
    const running = release('r1', {
      stage: 'train',
      stages: {
        validate: { status: 'succeeded', startedAt: '2025-05-01T11:59:00Z', endedAt: '2025-05-01T11:59:01Z', detail: '100 rows' },
        train: { status: 'running', startedAt: '2025-05-01T11:59:01Z' },
      },
    });
    const first = tracker.lines([running], now);
    expect(first.map((l) => l.slice(9))).toEqual([
      'default r1 validate ✓ succeeded 1.0 s 100 rows',
      'default r1 train … running',
      'default r1 … running',
    ]);
    expect(tracker.lines([running], now)).toEqual([]);
    const done = release('r1', {
      status: 'succeeded',
      stage: 'train',
      model: { name: 'default', version: 2 },
      stages: { ...running.stages, train: { status: 'succeeded', startedAt: '2025-05-01T11:59:01Z', endedAt: '2025-05-01T11:59:05.100Z' } },
    });
    expect(tracker.lines([done], now).map((l) => l.slice(9))).toEqual([
      'default r1 train ✓ succeeded 4.1 s',
      'default r1 ✓ succeeded model default v2',
    ]);
  });
});

describe('watchReleases', () => {
  test('on a terminal it redraws the frame in place until every release has ended', async () => {
    const frames = [[release('r1')], [release('r1', { status: 'succeeded' })]];
    const io = captureIo(true);
    const last = await watchReleases(io, async () => frames.shift() ?? [], { intervalMs: 0, emptyMessage: 'none', now: () => now });
    expect(last[0]?.status).toBe('succeeded');
    // Second frame moves up over the 10 lines of the first (header + 9 stages) and clears them.
    expect(io.text()).toContain('\x1b[10F\x1b[J');
    expect(io.text().split('\x1b[10F\x1b[J')[1]).toMatch(/^default {2}r1 {2}✓ succeeded/);
  });

  test('--once prints the current frame without escape codes and returns', async () => {
    const io = captureIo(true);
    await watchReleases(io, async () => [release('r1')], { once: true, emptyMessage: 'none', now: () => now });
    expect(io.text()).not.toContain('\x1b');
    expect(io.text()).toMatch(/^default {2}r1 {2}… running {2}at validate/);
  });

  test('rides out a host restart after the first poll, but not a failing first poll', async () => {
    const down = new ApiUnreachableError('http://127.0.0.1:7071/api', 'connection refused');
    const polls: (() => ReleaseView[])[] = [
      () => [release('r1')],
      () => {
        throw down;
      },
      () => [release('r1', { status: 'failed', reason: 'boom' })],
    ];
    const io = captureIo(false);
    const last = await watchReleases(io, async () => polls.shift()!(), { intervalMs: 0, emptyMessage: 'none' });
    expect(last[0]?.status).toBe('failed');
    expect(io.text()).toContain('✗ failed reason: boom');

    await expect(
      watchReleases(
        captureIo(false),
        async () => {
          throw down;
        },
        { intervalMs: 0, emptyMessage: 'none' },
      ),
    ).rejects.toThrow(down);
  });

  test('gives up with the given message when no release appears in time', async () => {
    const io = captureIo(false);
    await expect(
      watchReleases(io, async () => [], {
        intervalMs: 1,
        emptyMessage: 'Waiting for the release…',
        appearTimeout: { ms: 0, message: 'No release started' },
      }),
    ).rejects.toThrow('No release started');
    expect(io.text()).toBe('Waiting for the release…\n');
  });
});

describe('watchReleases until stopped (status --watch)', () => {
  test('keeps polling after every release ended, shows a new one, and returns when the signal aborts', async () => {
    const io = captureIo(false);
    const stop = new AbortController();
    const snapshots = [
      [release('r1', { status: 'succeeded' })],
      [release('r1', { status: 'succeeded' })],
      [release('r1', { status: 'succeeded' }), release('r2', { createdAt: '2025-05-01T11:30:00Z' })],
    ];
    let loads = 0;
    const shown = await watchReleases(
      io,
      async () => {
        const snapshot = snapshots[Math.min(loads++, snapshots.length - 1)]!;
        if (loads === snapshots.length) setImmediate(() => stop.abort());
        return snapshot;
      },
      { emptyMessage: '', intervalMs: 0, until: stop.signal, now: () => now },
    );
    expect(loads).toBe(3);
    expect(shown.map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(io.text()).toMatch(/r1 ✓ succeeded\n.*r2 … running\n$/);
  });

  test('an abort during the pause ends the wait at once', async () => {
    const stop = new AbortController();
    const watching = watchReleases(captureIo(false), async () => [release('r1', { status: 'succeeded' })], {
      emptyMessage: '',
      intervalMs: 3_600_000,
      until: stop.signal,
    });
    stop.abort();
    await expect(watching).resolves.toHaveLength(1);
  });

  test('with jsonLines each changed set of releases is one line of JSON, and an unchanged one prints nothing', async () => {
    const io = captureIo(true);
    const stop = new AbortController();
    const snapshots = [[release('r1')], [release('r1')], [release('r1', { status: 'succeeded' })]];
    let loads = 0;
    await watchReleases(
      io,
      async () => {
        if (loads === snapshots.length - 1) setImmediate(() => stop.abort());
        return snapshots[Math.min(loads++, snapshots.length - 1)]!;
      },
      { emptyMessage: '', intervalMs: 0, until: stop.signal, jsonLines: true },
    );
    const lines = io
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { status: string }[]);
    expect(lines.map((l) => l[0]!.status)).toEqual(['running', 'succeeded']);
  });
});
