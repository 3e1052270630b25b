import { InferenceCollector, type InferenceCollectorOptions } from '../../../adapters/local/inference/inferenceCollector';
import type { ScoredExchange } from '../../../shared/monitoring/toInferenceRecords';
import { parseInferenceLines } from '../../../shared/monitoring/parseInferenceLines';
import { readInferenceRecords } from '../../../shared/monitoring/readInferenceRecords';
import { FakeDataStore, recordingLogger } from './fakeDataStore';
import { waitFor } from '../../support/waitFor';

const exchange = (
  id: string,
  overrides: Partial<ScoredExchange> = {},
  rows: unknown[] = [{ age: 40, ssn: '123-45-6789' }],
): ScoredExchange => ({
  requestId: id,
  endpoint: 'churn-prod',
  environment: 'prod',
  deployment: 'blue',
  model: { name: 'churn', version: 2 },
  time: new Date('2025-03-04T05:06:07.000Z'),
  latencyMs: 3,
  request: Buffer.from(JSON.stringify({ data: rows })),
  answer: Buffer.from(JSON.stringify({ predictions: rows.map(() => 1) })),
  ...overrides,
});

describe('InferenceCollector', () => {
  let store: FakeDataStore;
  let log: ReturnType<typeof recordingLogger>;
  let collector: InferenceCollector;
  // A long interval: tests flush explicitly, the timer never fires during a test.
  const create = (options: InferenceCollectorOptions = {}) =>
    (collector = new InferenceCollector(store, { flushIntervalMs: 3_600_000, logger: log.logger, ...options }));
  const allRecords = () => Object.values(store.contents('inference-data')).flatMap((text) => parseInferenceLines(text).records);

  beforeEach(() => {
    store = new FakeDataStore();
    log = recordingLogger();
  });
  afterEach(() => collector?.stop());

  it('writes staging and prod records as JSON lines partitioned by endpoint, hour and deployment, and skips dev', async () => {
    create();
    collector.collect(exchange('p1'));
    collector.collect(exchange('p2', { deployment: 'green', time: new Date('2025-03-04T06:00:00.000Z') }));
    collector.collect(exchange('s1', { endpoint: 'churn-staging', environment: 'staging' }));
    collector.collect(exchange('d1', { endpoint: 'churn-dev', environment: 'dev' }));
    await collector.flush();
    expect(Object.keys(store.contents('inference-data')).sort()).toEqual([
      'churn-prod/2025/03/04/05/blue-20250304T050607000Z-000000.jsonl',
      'churn-prod/2025/03/04/06/green-20250304T060000000Z-000001.jsonl',
      'churn-staging/2025/03/04/05/blue-20250304T050607000Z-000002.jsonl',
    ]);
    expect(
      allRecords()
        .map((r) => r.requestId)
        .sort(),
    ).toEqual(['p1', 'p2', 's1']);
    expect(collector.collects('dev')).toBe(false);
    expect(collector.stats().total).toEqual({ collected: 3, flushed: 3, dropped: 0, uncollectable: 0, skippedLarge: 0, buffered: 0 });
  });

  it('collects dev too when configured to', async () => {
    create({ environments: ['dev'] });
    collector.collect(exchange('d1', { endpoint: 'churn-dev', environment: 'dev' }));
    collector.collect(exchange('p1'));
    await collector.flush();
    expect(allRecords().map((r) => r.requestId)).toEqual(['d1']);
  });

  it('never writes or logs excluded columns, per endpoint', async () => {
    create({ excludeColumns: (endpoint) => (endpoint === 'churn-prod' ? ['SSN'] : []) });
    collector.collect(exchange('p1'));
    collector.collect(exchange('s1', { endpoint: 'churn-staging', environment: 'staging' }));
    await collector.flush();
    const byEndpoint = Object.fromEntries(allRecords().map((r) => [r.endpoint, r.input]));
    expect(byEndpoint).toEqual({ 'churn-prod': { age: 40 }, 'churn-staging': { age: 40, ssn: '123-45-6789' } });
    expect(log.text()).not.toMatch(/123-45/);
  });

  it('writes an endpoint as soon as it has flushRecords records, in blobs of at most that many', async () => {
    create({ flushRecords: 3 });
    for (let i = 0; i < 2; i++) collector.collect(exchange(`r${i}`));
    await collector.flush();
    expect(store.writes).toHaveLength(1);
    for (let i = 2; i < 5; i++) collector.collect(exchange(`r${i}`));
    // The third record of the batch started a write without a timer or an explicit flush.
    await waitFor('both writes', () => store.writes.length === 2, { timeoutMs: 5000, intervalMs: 5 });
    expect(collector.stats().total).toMatchObject({ collected: 5, flushed: 5, buffered: 0 });
  });

  it('writes buffered records every flushIntervalMs without being asked', async () => {
    jest.useFakeTimers();
    try {
      create({ flushIntervalMs: 5000 });
      collector.collect(exchange('a'));
      await jest.advanceTimersByTimeAsync(4999);
      expect(store.writes).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(allRecords().map((r) => r.requestId)).toEqual(['a']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps records while storage is down and writes them when it is back', async () => {
    create();
    store.down = true;
    collector.collect(exchange('a'));
    await collector.flush();
    collector.collect(exchange('b'));
    await collector.flush();
    expect(collector.stats().total).toMatchObject({ collected: 2, flushed: 0, buffered: 2, dropped: 0 });
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    store.down = false;
    await collector.flush();
    expect(
      allRecords()
        .map((r) => r.requestId)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(collector.stats().total).toMatchObject({ flushed: 2, buffered: 0 });
    expect(log.lines.at(-1)).toMatchObject({ level: 'info', message: expect.stringMatching(/written again/) });
  });

  it('bounds memory while storage is down: drops the oldest records, counts them and warns with counts only', async () => {
    create({ maxBufferedRecords: 100 });
    store.down = true;
    for (let i = 0; i < 250; i++) collector.collect(exchange(`r${i}`));
    await collector.flush();
    const { total } = collector.stats();
    expect(total.buffered).toBeLessThanOrEqual(100);
    expect(total.collected).toBe(250);
    expect(total.dropped + total.buffered).toBe(250);
    const warning = log.lines.find((l) => l.level === 'warn')!;
    expect(warning.properties).toMatchObject({
      dropped: total.dropped,
      buffered: total.buffered,
      error: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(log.text()).not.toMatch(/123-45|"age"/);
    store.down = false;
    await collector.flush();
    // What was kept is the newest data.
    expect(allRecords().map((r) => r.requestId)).toContain('r249');
    expect(allRecords().map((r) => r.requestId)).not.toContain('r0');
  });

  it('writes what is buffered on stop, and counts what it could not write as dropped', async () => {
    create();
    collector.collect(exchange('a'));
    await collector.stop();
    expect(allRecords().map((r) => r.requestId)).toEqual(['a']);
    collector.collect(exchange('after-stop'));
    expect(collector.stats().total.collected).toBe(1);

    create({ stopTimeoutMs: 1000 });
    store.down = true;
    collector.collect(exchange('b'));
    await collector.stop();
    expect(collector.stats().total).toMatchObject({ collected: 1, flushed: 0, dropped: 1, buffered: 0 });
    expect(log.lines.at(-1)).toMatchObject({ level: 'warn', message: expect.stringMatching(/not written before stop/) });
  });

  it('does not let a hanging storage hold up stop or pile up flushes', async () => {
    create({ stopTimeoutMs: 50 });
    store.hang = true;
    collector.collect(exchange('a'));
    void collector.flush();
    collector.collect(exchange('b'));
    // Both wait behind the hanging write and are the same flush.
    expect(collector.flush()).toBe(collector.flush());
    expect(collector.stats().total).toMatchObject({ collected: 2, buffered: 2 });
    await collector.stop();
    expect(collector.stats().total).toMatchObject({ collected: 2, flushed: 0, dropped: 2, buffered: 0 });
    expect(log.lines.at(-1)).toMatchObject({ level: 'warn', properties: { dropped: 2 } });
  });

  it('counts uncollectable rows and reports them once per deployment', async () => {
    create();
    for (let i = 0; i < 3; i++) collector.collect(exchange(`u${i}`, {}, [[1, 2], { age: 3 }]));
    collector.collect(exchange('g', { deployment: 'green' }, [[1, 2]]));
    expect(collector.stats().total).toMatchObject({ collected: 3, uncollectable: 4 });
    const warnings = log.lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings).toEqual([expect.stringMatching(/churn-prod\/blue.*without column names/), expect.stringMatching(/churn-prod\/green/)]);
  });

  it('reads back the records of a time range and reports malformed lines instead of throwing', async () => {
    create();
    for (const [id, time] of [
      ['early', '2025-03-04T04:59:59.999Z'],
      ['in1', '2025-03-04T05:00:00.000Z'],
      ['in2', '2025-03-04T06:59:00.000Z'],
      ['late', '2025-03-04T07:00:00.000Z'],
    ] as const) {
      collector.collect(exchange(id, { time: new Date(time) }));
    }
    await collector.flush();
    await store.write(
      { container: 'inference-data', name: 'churn-prod/2025/03/04/05/blue-corrupt.jsonl' },
      'not json\n{"requestId":"x"}\n',
    );
    const stream = readInferenceRecords(store, 'churn-prod', '2025-03-04T05:00:00Z', '2025-03-04T07:00:00Z');
    const ids: string[] = [];
    for await (const record of stream) ids.push(record.requestId);
    expect(ids.sort()).toEqual(['in1', 'in2']);
    expect(stream.stats).toMatchObject({ records: 2, malformed: 2, blobs: 3 });
    expect(stream.stats.malformedSamples).toEqual([
      { blob: 'churn-prod/2025/03/04/05/blue-corrupt.jsonl', line: 1, reason: 'not JSON' },
      { blob: 'churn-prod/2025/03/04/05/blue-corrupt.jsonl', line: 2, reason: expect.stringMatching(/endpoint/) },
    ]);
    await expect(async () => readInferenceRecords(store, 'churn-prod', 'yesterday', '2025-03-04T07:00:00Z')).rejects.toThrow(
      /from must be an ISO time/,
    );
  });
});
