import { createRng } from '../../../examples/tabular/lib/random';
import { PREDICTION_COLUMN } from '../../../shared/monitoring/baseline';
import { numberAt } from '../../../shared/monitoring/jsonBytes';
import { readInferenceRecords } from '../../../shared/monitoring/readInferenceRecords';
import { InferenceLineScanner, ScannedCells } from '../../../shared/monitoring/scanInferenceLine';
import { scanInferenceWindow } from '../../../shared/monitoring/scanInferenceWindow';
import { createWindowProfile, profileBaseline } from '../../../shared/monitoring/stats';
import { readStreamViaRead } from '../../fakes/wholeBlobStreams';
import { FakeDataStore } from './fakeDataStore';

const FROM = '2025-03-04T05:00:00.000Z';
const TO = '2025-03-04T07:00:00.000Z';
const columns = ['age', 'income', 'plan', 'region', PREDICTION_COLUMN];

function record(i: number, input: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    requestId: `r${i}`,
    endpoint: 'churn-prod',
    environment: 'prod',
    deployment: i % 13 === 0 ? 'green' : 'blue',
    model: { name: 'churn', version: 3 },
    time: `2025-03-04T0${5 + (i % 2)}:${String(i % 60).padStart(2, '0')}:00.000Z`,
    input,
    prediction: i % 3 === 0 ? 'yes' : 'no',
    latencyMs: 1.25,
    ...extra,
  };
}

/** Lines the fast path reads and lines it must leave to JSON.parse and the schema, mixed. */
function fixtureBlobs(): string[] {
  const rng = createRng(5);
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const age = [
      40 + 10 * rng.normal(),
      Math.round(rng.normal() * 1e6) / 1e3,
      -0,
      1e-7 * rng.next(),
      // eslint-disable-next-line no-loss-of-precision -- a client's integer beyond 2^53, on purpose
      123456789012345678,
      '42.5',
      ' 7 ',
      null,
      '',
      'n/a',
      true,
    ][i % 11];
    const input: Record<string, unknown> = {
      age,
      income: Number((50_000 * Math.exp(rng.normal())).toPrecision(6)),
      plan: ['basic', 'pro', 'team', 'ünïcode', 7, 'say "hi"', null][i % 7],
      region: i % 17 === 0 ? undefined : `r${i % 5}`,
    };
    if (i % 29 === 0) input.age = { nested: true };
    if (i % 31 === 0) input[PREDICTION_COLUMN] = 'from the input';
    if (i % 37 === 0) input.unknownColumn = [1, 2];
    const extra = i % 41 === 0 ? { probabilities: [0.25, 0.75] } : i % 43 === 0 ? { somethingElse: 'x' } : {};
    const r = record(i, input, extra);
    if (i % 47 === 0) delete r.prediction;
    // Key order is the writer's business.
    const shuffled = i % 19 === 0 ? Object.fromEntries(Object.entries(r).reverse()) : r;
    lines.push(JSON.stringify(shuffled) + (i % 23 === 0 ? '\r' : ''));
  }
  const bad = [
    'not json',
    '{"requestId":"x",}',
    JSON.stringify(record(1, { age: 1 })).replace('"version":3', '"version":03'),
    JSON.stringify(record(2, {}, { environment: 'test' })),
    JSON.stringify(record(3, {}, { requestId: '' })),
    JSON.stringify(record(4, {}, { latencyMs: null })),
    JSON.stringify(record(5, { age: 1 })).replace('{', '{"deployment":"blue",'),
    '  ',
    '[1,2]',
    JSON.stringify(record(6, { age: 1 })) + ' x',
    `\uFEFF${JSON.stringify(record(8, { age: 2 }))}`,
    JSON.stringify(record(9, { age: 3 }, { time: '2025-03-04T09:00:00.000Z' })),
  ];
  bad.forEach((line, j) => lines.splice(100 + 250 * j, 0, line));
  return [lines.slice(0, 1700).join('\n'), `${lines.slice(1700).join('\n')}\n\n`];
}

describe('scanInferenceWindow', () => {
  test('scanInferenceWindow gives the same window and the same read stats as readInferenceRecords plus add, whatever the chunk size', async () => {
    const rng = createRng(9);
    const baseline = await profileBaseline(
      columns,
      Array.from({ length: 4000 }, () => [
        40 + 10 * rng.normal(),
        50_000 * Math.exp(rng.normal()),
        ['basic', 'pro', 'team'][rng.pick([5, 3, 1])],
        `r${Math.floor(rng.next() * 4)}`,
        rng.next() < 0.3 ? 'yes' : 'no',
      ]),
      { prediction: PREDICTION_COLUMN },
    );
    const store = new FakeDataStore();
    fixtureBlobs().forEach((text, b) => store.blobs.set(`inference-data/churn-prod/2025/03/04/0${5 + b}/blue-${b}.jsonl`, text));

    const old = createWindowProfile(baseline);
    const records = readInferenceRecords(store, 'churn-prod', FROM, TO);
    for await (const r of records) if (r.deployment === 'blue') old.add({ ...r.input, [PREDICTION_COLUMN]: r.prediction });

    for (const chunkBytes of [7, 4096, 1 << 20]) {
      const chunked = Object.assign(Object.create(store) as FakeDataStore, {
        readStream: (ref: Parameters<FakeDataStore['readStream']>[0]) => readStreamViaRead(store, ref, {}, chunkBytes),
      });
      const streamed = createWindowProfile(baseline);
      const ids: string[] = [];
      const stats = await scanInferenceWindow(chunked, 'churn-prod', FROM, TO, streamed.cellColumns, PREDICTION_COLUMN, (cells, line) => {
        if (cells.deployment !== 'blue') return;
        streamed.addCells(cells.kinds, cells.numbers, cells.others);
        if (ids.length < 5) ids.push(line().requestId);
      });
      expect(streamed.toJSON()).toEqual(old.toJSON());
      expect(stats).toEqual(records.stats);
      expect(ids).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    }
    // The fixture does exercise both paths and the skipped lines.
    expect(records.stats.malformed).toBeGreaterThanOrEqual(8);
    expect(records.stats.outsideRange).toBeGreaterThan(0);
  });

  test('numberAt reads every JSON number as JSON.parse does, short or long', () => {
    const rng = createRng(3);
    const texts = [
      '0',
      '-0',
      '0.0',
      '1e22',
      '1e23',
      '9007199254740993',
      '0.1',
      '-1.5E-7',
      '123456789012345.6',
      '4.35',
      '1E+2',
      '2.2250738585072014e-308',
      '1e400',
      '5e-324',
    ];
    for (let i = 0; i < 3000; i++) {
      const x = rng.normal() * 10 ** Math.floor(rng.next() * 40 - 20);
      texts.push(String(x), x.toPrecision(1 + (i % 17)), x.toExponential(i % 15), String(Math.round(x)));
    }
    const c = { end: 0, hash: 0, wide: false, value: 0 };
    const differing = texts.filter((text) => {
      const bytes = Buffer.from(`${text},`);
      numberAt(bytes, 0, bytes.length, c);
      return c.end !== text.length || !Object.is(c.value, JSON.parse(text));
    });
    expect(differing).toEqual([]);
    for (const text of ['01x', '-', '1.', '.5', '1e', '+1']) {
      const bytes = Buffer.from(text);
      numberAt(bytes, 0, bytes.length, c);
      // Either not a number at all, or a shorter one that leaves the rest for the caller to refuse.
      expect(c.end < 0 || c.end < text.length).toBe(true);
    }
  });

  test('InferenceLineScanner reads a record as the collector writes it without JSON.parse, and leaves escapes and nesting to it', () => {
    const cells = new ScannedCells(['age', 'plan', 'missing', PREDICTION_COLUMN]);
    const scanner = new InferenceLineScanner(cells, PREDICTION_COLUMN);
    const line = (input: Record<string, unknown>) => Buffer.from(JSON.stringify(record(2, input)));
    const plain = line({ age: -1.5e-3, plan: 'pro' });
    expect(scanner.scan(plain, 0, plain.length)).toBe(true);
    expect([...cells.kinds]).toEqual([1, 2, 0, 2]);
    expect([cells.numbers[0], cells.others[1], cells.others[3], cells.deployment, cells.time]).toEqual([
      -1.5e-3,
      'pro',
      'no',
      'blue',
      '2025-03-04T05:02:00.000Z',
    ]);
    for (const input of [{ plan: 'say "hi"' }, { plan: ['pro'] }, { age: { v: 1 } }]) {
      const bytes = line(input);
      expect(scanner.scan(bytes, 0, bytes.length)).toBe(false);
    }
  });
});
