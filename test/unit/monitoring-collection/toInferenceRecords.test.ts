import { InferenceRecord } from '../../../shared/monitoring/inferenceRecord';
import { toExcludedSet, toInferenceRecords, type ScoredExchange } from '../../../shared/monitoring/toInferenceRecords';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const exchange = (request: unknown, answer: unknown, overrides: Partial<ScoredExchange> = {}): ScoredExchange => ({
  requestId: 'req-1',
  endpoint: 'churn-prod',
  environment: 'prod',
  deployment: 'blue',
  model: { name: 'churn', version: 3 },
  time: new Date('2025-03-04T05:06:07.089Z'),
  latencyMs: 12.3456,
  request: json(request),
  answer: answer === undefined ? undefined : json(answer),
  ...overrides,
});
const none = toExcludedSet([]);

describe('toInferenceRecords', () => {
  it('pairs each input_data row with its prediction and probabilities under the deployment, model and answer time', () => {
    const built = toInferenceRecords(
      exchange(
        {
          input_data: {
            columns: ['age', 'plan'],
            data: [
              [41, 'gold'],
              [29, 'free'],
            ],
          },
        },
        {
          predictions: [1, 0],
          probabilities: [
            [0.2, 0.8],
            [0.9, 0.1],
          ],
        },
      ),
      none,
    );
    expect(built).toEqual({
      uncollectable: 0,
      records: [
        {
          requestId: 'req-1',
          endpoint: 'churn-prod',
          environment: 'prod',
          deployment: 'blue',
          model: { name: 'churn', version: 3 },
          time: '2025-03-04T05:06:07.089Z',
          input: { age: 41, plan: 'gold' },
          prediction: 1,
          probabilities: [0.2, 0.8],
          latencyMs: 12.346,
        },
        {
          requestId: 'req-1#1',
          endpoint: 'churn-prod',
          environment: 'prod',
          deployment: 'blue',
          model: { name: 'churn', version: 3 },
          time: '2025-03-04T05:06:07.089Z',
          input: { age: 29, plan: 'free' },
          prediction: 0,
          probabilities: [0.9, 0.1],
          latencyMs: 12.346,
        },
      ],
    });
    for (const record of built.records) expect(InferenceRecord.safeParse(record).success).toBe(true);
  });

  it('gives the first row the request id and later rows <id>#<row>', () => {
    const rows = [{ x: 1 }, { x: 2 }, { x: 3 }];
    const built = toInferenceRecords(exchange({ data: rows }, { predictions: ['a', 'b', 'c'] }, { requestId: 'abc' }), none);
    expect(built.records.map((r) => r.requestId)).toEqual(['abc', 'abc#1', 'abc#2']);
    expect(built.records.map((r) => r.prediction)).toEqual(['a', 'b', 'c']);
  });

  it('collects rows given as objects in data, input_data and dataframe_records, and dataframe_split rows with columns', () => {
    const answer = { predictions: [7] };
    for (const request of [
      { data: [{ x: 1 }] },
      { input_data: [{ x: 1 }] },
      { dataframe_records: [{ x: 1 }] },
      { dataframe_split: { columns: ['x'], data: [[1]] } },
    ]) {
      expect(toInferenceRecords(exchange(request, answer), none)).toMatchObject({
        uncollectable: 0,
        records: [{ input: { x: 1 }, prediction: 7 }],
      });
    }
  });

  it('counts array rows without column names as uncollectable and says how to send them', () => {
    const built = toInferenceRecords(exchange({ data: [[1, 2], { x: 3 }, [4, 5]] }, { predictions: [0, 1, 0] }), none);
    expect(built.records.map((r) => [r.requestId, r.input])).toEqual([['req-1#1', { x: 3 }]]);
    expect(built.uncollectable).toBe(2);
    expect(built.reason).toMatch(/arrays without column names.*input_data with columns/);
  });

  it('collects nothing from a request whose columns name one column twice, and says why', () => {
    const built = toInferenceRecords(exchange({ input_data: { columns: ['a', 'b', 'a'], data: [[1, 2, 3]] } }, { predictions: [0] }), none);
    expect(built.records).toEqual([]);
    expect(built.uncollectable).toBe(1);
    expect(built.reason).toMatch(/columns name 'a' more than once/);
  });

  it('counts array rows whose length does not match the columns as uncollectable', () => {
    const built = toInferenceRecords(exchange({ input_data: { columns: ['a', 'b'], data: [[1, 2], [3]] } }, { predictions: [0, 1] }), none);
    expect(built.records).toHaveLength(1);
    expect(built.uncollectable).toBe(1);
  });

  it('leaves excluded columns out of every record, whatever their capitalisation', () => {
    const built = toInferenceRecords(
      exchange({ input_data: { columns: ['age', 'SSN', 'Email'], data: [[41, '123-45-6789', 'a@b.c']] } }, { predictions: [1] }),
      toExcludedSet(['ssn', 'email']),
    );
    expect(built.records[0]!.input).toEqual({ age: 41 });
    expect(JSON.stringify(built)).not.toMatch(/123-45-6789|a@b\.c/);
  });

  it('omits probabilities that are not a list of numbers and keeps the prediction as the scorer returned it', () => {
    const built = toInferenceRecords(
      exchange({ data: [{ x: 1 }, { x: 2 }] }, { predictions: [{ label: 'a' }, null], probabilities: ['high', [0.5, 0.5]] }),
      none,
    );
    expect(built.records[0]).not.toHaveProperty('probabilities');
    expect(built.records[0]!.prediction).toEqual({ label: 'a' });
    expect(built.records[1]).toMatchObject({ prediction: null, probabilities: [0.5, 0.5] });
  });

  it('refuses to pair rows when the answer has a different number of predictions', () => {
    const built = toInferenceRecords(exchange({ data: [{ x: 1 }, { x: 2 }] }, { predictions: [1] }), none);
    expect(built).toMatchObject({ records: [], uncollectable: 2 });
    expect(built.reason).toMatch(/1 predictions for 2 rows/);
  });

  it('marks a request or answer too large to inspect as skipped for its size, not as uncollectable rows', () => {
    const cases: [ScoredExchange, RegExp][] = [
      [exchange({ data: [{ x: 1 }] }, undefined), /answer was too large to inspect \(over 1 MB\)/],
      [{ ...exchange({}, { predictions: [] }), request: undefined }, /request was too large to inspect \(over 1 MB\)/],
    ];
    for (const [input, reason] of cases) {
      expect(toInferenceRecords(input, none)).toEqual({
        records: [],
        uncollectable: 0,
        tooLarge: true,
        reason: expect.stringMatching(reason),
      });
    }
  });

  it('reports bodies it cannot read as uncollectable without quoting them', () => {
    const cases: [ScoredExchange, RegExp][] = [
      [{ ...exchange({}, { predictions: [] }), request: Buffer.from('secret=42 not json') }, /request body is not JSON/],
      [exchange({ rows: [{ x: 1 }] }, { predictions: [1] }), /none of input_data/],
      [exchange({ data: [{ x: 1 }] }, { result: 'x' }), /no 'predictions'/],
    ];
    for (const [input, reason] of cases) {
      const built = toInferenceRecords(input, none);
      expect(built.records).toEqual([]);
      expect(built.uncollectable).toBeGreaterThanOrEqual(1);
      expect(built.reason).toMatch(reason);
      expect(built.reason).not.toMatch(/secret/);
    }
  });

  it('keeps a column named __proto__ as a plain feature', () => {
    const built = toInferenceRecords(
      exchange({ input_data: { columns: ['__proto__', 'x'], data: [[{ polluted: true }, 1]] } }, { predictions: [1] }),
      none,
    );
    const input = built.records[0]!.input;
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
    expect(Object.keys(input)).toEqual(['__proto__', 'x']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
