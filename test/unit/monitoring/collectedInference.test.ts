import { collectedBatches, collectorHourPrefix, MAX_REASONS, recordsFromCollected } from '../../../shared/monitoring/collectedInference';
import { parseDeploymentSpec } from '../../../shared/jobs';
import { hourStarts } from '../../../shared/monitoring/inferenceBlobName';
import { toArmDataCollector } from '../../../adapters/azure/workspace/deploymentMapping';

const where = {
  endpoint: 'churn-prod',
  environment: 'prod' as const,
  deployment: 'v003',
  model: { name: 'churn', version: 3 },
  excluded: new Set(['email']),
};
/** A line as the collector writes it (how-to-collect-production-data.md). */
const line = (type: string, correlationid: string, data: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    specversion: '1.0',
    id: `${type}-${correlationid}`,
    source: '/subscriptions/s/.../deployments/v003',
    type: `azureml.inference.${type}`,
    datacontenttype: 'application/json',
    time: '2026-12-04T08:15:02Z',
    data,
    correlationid,
    xrequestid: correlationid,
    ...extra,
  });

describe('collected inference data as our records', () => {
  test('payload logging: a request body and its answer, joined by correlation id, give one record per row; excluded columns stay out', () => {
    const inputs = [
      [
        line('request', 'c1', {
          input_data: {
            columns: ['tenure', 'email'],
            data: [
              [3, 'a@x'],
              [40, 'b@x'],
            ],
          },
        }),
        line('request', 'c2', { input_data: { columns: ['tenure', 'email'], data: [[7, 'c@x']] } }),
      ].join('\n'),
    ];
    const outputs = [
      line('response', 'c2', { predictions: [0] }),
      line('response', 'c1', {
        predictions: [1, 0],
        probabilities: [
          [0.2, 0.8],
          [0.9, 0.1],
        ],
      }),
    ];
    const { records, uncollectable } = recordsFromCollected({ inputs, outputs, pair: ['request', 'response'] }, where);
    expect(uncollectable).toBe(0);
    expect(records.map((r) => [r.requestId, r.input, r.prediction, r.probabilities])).toEqual([
      ['c1', { tenure: 3 }, 1, [0.2, 0.8]],
      ['c1#1', { tenure: 40 }, 0, [0.9, 0.1]],
      ['c2', { tenure: 7 }, 0, undefined],
    ]);
    expect(records[0]).toMatchObject({
      endpoint: 'churn-prod',
      environment: 'prod',
      deployment: 'v003',
      model: { name: 'churn', version: 3 },
      time: '2026-12-04T08:15:02.000Z',
    });
    expect(records[0]!.latencyMs).toBeUndefined();
  });

  test("the autopilot's own replayed rows (its load generator's query mark on the path) are left out and counted; a caller's own query is not", () => {
    const request = { input_data: { columns: ['tenure'], data: [[3]] } };
    const { records, synthetic, uncollectable } = recordsFromCollected(
      {
        inputs: [
          [
            line('request', 'replayed', request, { path: '/score?autopilot-synthetic=1', method: 'POST' }),
            line('request', 'caller', request, { path: '/score?size=1', method: 'POST' }),
            line('request', 'plain', request, { path: '/score', method: 'POST' }),
          ].join('\n'),
        ],
        outputs: ['replayed', 'caller', 'plain'].map((id) => line('response', id, { predictions: [1] })),
        pair: ['request', 'response'],
      },
      where,
    );
    expect(records.map((r) => r.requestId)).toEqual(['caller', 'plain']);
    expect({ synthetic, uncollectable }).toEqual({ synthetic: 1, uncollectable: 0 });
  });

  test('custom logging: model_inputs rows and model_outputs DataFrame rows', () => {
    const { records } = recordsFromCollected(
      {
        inputs: [line('model_inputs', 'k', [{ tenure: 1 }, { tenure: 2 }])],
        outputs: [line('model_outputs', 'k', [{ prediction: 'yes' }, { prediction: 'no' }])],
        pair: ['model_inputs', 'model_outputs'],
      },
      where,
    );
    expect(records.map((r) => [r.input, r.prediction])).toEqual([
      [{ tenure: 1 }, 'yes'],
      [{ tenure: 2 }, 'no'],
    ]);
  });

  test('what cannot become records is counted with a reason that never quotes the data', () => {
    const result = recordsFromCollected(
      {
        inputs: [
          [
            'not json {secret-value}',
            JSON.stringify({ time: 'x', data: 1 }), // no correlationid
            line('request', 'no-answer', { input_data: { columns: ['tenure'], data: [[1]] } }),
            line('request', 'big', 'https://acct.blob.core.windows.net/x', { datainblob: 'true' }),
            line('request', 'mismatch', { input_data: { columns: ['tenure'], data: [[1], [2]] } }),
          ].join('\n'),
        ],
        outputs: [
          line('response', 'big', 'https://acct.blob.core.windows.net/y', { datainblob: 'true' }),
          line('response', 'mismatch', { predictions: [1] }),
        ],
        pair: ['request', 'response'],
      },
      where,
    );
    expect(result.records).toEqual([]);
    expect(result.uncollectable).toBe(6);
    expect(result.reasons.join('\n')).toMatch(
      /not JSON[\s\S]*correlationid[\s\S]*has no response event[\s\S]*over 4 MB[\s\S]*1 predictions for 2 rows/,
    );
    expect(result.reasons.join('\n')).not.toMatch(/secret-value/);
  });

  test('events whose time is not a time are counted, not a crash of the whole import', () => {
    const request = { input_data: { columns: ['tenure'], data: [[3]] } };
    const result = recordsFromCollected(
      {
        inputs: [[line('request', 'bad', request, { time: 'not-a-time' }), line('request', 'ok', request)].join('\n')],
        outputs: [line('response', 'bad', { predictions: [1] }, { time: 'garbage' }), line('response', 'ok', { predictions: [0] })],
        pair: ['request', 'response'],
      },
      where,
    );
    expect(result.records.map((r) => r.requestId)).toEqual(['ok']);
    expect(result.uncollectable).toBe(1);
    expect(result.reasons.join('\n')).toMatch(/time/);
  });

  test('an event written twice (same correlationid) gives its records once', () => {
    const request = line('request', 'c1', { input_data: { columns: ['tenure'], data: [[3], [4]] } });
    const response = line('response', 'c1', { predictions: [1, 0] });
    const result = recordsFromCollected(
      { inputs: [request, request], outputs: [response, response], pair: ['request', 'response'] },
      where,
    );
    expect(result.records.map((r) => r.requestId)).toEqual(['c1', 'c1#1']);
  });

  test('reasons stay few however many distinct ones the events give (each answer naming its own keys)', () => {
    const inputs = [
      Array.from({ length: 2000 }, (_, i) =>
        line('request', `c${i}`, { input_data: { columns: ['tenure'], data: Array.from({ length: (i % 50) + 1 }, () => [1]) } }),
      ).join('\n'),
    ];
    const outputs = [
      Array.from({ length: 2000 }, (_, i) => line('response', `c${i}`, i % 2 ? { [`customer-${i}`]: 0.9 } : { predictions: [1] })).join(
        '\n',
      ),
    ];
    const result = recordsFromCollected({ inputs, outputs, pair: ['request', 'response'] }, where);
    expect(result.uncollectable).toBeGreaterThan(1900);
    expect(result.reasons.length).toBeLessThanOrEqual(MAX_REASONS);
  });

  test('a deployment that collects both pairs gives each row once (payload logging read, custom logging left), hour by hour', async () => {
    const h8 = new Date('2026-12-04T08:00:00Z');
    const h9 = new Date('2026-12-04T09:00:00Z');
    const blobs: Record<string, string[]> = {
      [collectorHourPrefix('churn-prod', 'v003', 'request', h8)]: [
        line('request', 'a', { input_data: { columns: ['tenure'], data: [[1]] } }),
      ],
      [collectorHourPrefix('churn-prod', 'v003', 'response', h8)]: [line('response', 'a', { predictions: [0] })],
      [collectorHourPrefix('churn-prod', 'v003', 'model_inputs', h8)]: [line('model_inputs', 'a', [{ tenure: 1 }])],
      [collectorHourPrefix('churn-prod', 'v003', 'model_outputs', h8)]: [line('model_outputs', 'a', [{ prediction: 0 }])],
      // 09:00: custom logging only.
      [collectorHourPrefix('churn-prod', 'v003', 'model_inputs', h9)]: [line('model_inputs', 'b', [{ tenure: 2 }])],
      [collectorHourPrefix('churn-prod', 'v003', 'model_outputs', h9)]: [line('model_outputs', 'b', [{ prediction: 1 }])],
    };
    const batches = [];
    for await (const batch of collectedBatches(
      async (prefix) => blobs[prefix] ?? [],
      [{ name: 'v003', model: where.model }],
      [h8, h9],
      where,
    ))
      batches.push(batch);
    expect(batches.map((b) => [b.hour, b.records.map((r) => r.input)])).toEqual([
      ['2026-12-04T08:00:00.000Z', [{ tenure: 1 }]],
      ['2026-12-04T09:00:00.000Z', [{ tenure: 2 }]],
    ]);
  });

  test('the hours a window overlaps, each read once', () => {
    expect(hourStarts(new Date('2026-12-04T08:30:00Z'), new Date('2026-12-04T10:00:00Z')).map((h) => h.toISOString())).toEqual([
      '2026-12-04T08:00:00.000Z',
      '2026-12-04T09:00:00.000Z',
    ]);
    expect(hourStarts(new Date('2026-12-04T23:59:00Z'), new Date('2026-12-05T00:00:01Z'))).toHaveLength(2);
    expect(hourStarts(new Date('2026-12-04T08:00:00Z'), new Date('2026-12-04T08:00:00Z'))).toEqual([]);
  });

  test('the collector writes one folder per endpoint, deployment, collection and UTC hour', () => {
    expect(collectorHourPrefix('churn-prod', 'v003', 'request', new Date('2026-12-04T08:59:59Z'))).toBe(
      'modelDataCollector/churn-prod/v003/request/2026/12/04/08/',
    );
  });
});

describe('data_collector in a deployment spec', () => {
  const spec = (collector: string) =>
    `code_configuration: { code: ., scoring_script: score.py }\nenvironment: azureml:env:1\ninstance_type: Standard_DS3_v2\ndata_collector:\n${collector}`;

  test('maps to the REST DataCollector: enabled as dataCollectionMode, sampling_rate on each collection', () => {
    const parsed = parseDeploymentSpec(
      spec(
        "  sampling_rate: 0.5\n  rolling_rate: Hour\n  collections:\n    request: { enabled: 'True' }\n    response: { enabled: true }\n    model_inputs: { enabled: 'False' }\n",
      ),
      'd.yaml',
    );
    expect(toArmDataCollector(parsed)).toEqual({
      collections: {
        request: { dataCollectionMode: 'Enabled', samplingRate: 0.5 },
        response: { dataCollectionMode: 'Enabled', samplingRate: 0.5 },
        model_inputs: { dataCollectionMode: 'Disabled', samplingRate: 0.5 },
      },
      rollingRate: 'Hour',
    });
  });

  test.each([
    [
      'a custom destination the monitor would not read',
      "  collections:\n    request: { enabled: 'True', data: { name: x, path: 'azureml://datastores/d/paths/p' } }\n",
      /collections\.request\.data.*not supported.*workspaceblobstore/,
    ],
    [
      'a rolling rate other than Hour',
      "  rolling_rate: Day\n  collections:\n    request: { enabled: 'True' }\n",
      /rolling_rate.*only 'Hour'/,
    ],
    ['an unknown key', '  collections: {}\n  sampling: 1\n', /sampling/],
  ])('refuses %s, naming the key', (_what, collector, message) => {
    expect(() => parseDeploymentSpec(spec(collector), 'd.yaml')).toThrow(message);
  });
});

describe('inference_config routes of an inline environment', () => {
  const spec = (path: string) =>
    `code_configuration: { code: ., scoring_script: score.js }\nenvironment:\n  image: node:20\n  inference_config:\n    liveness_route: { port: 5001, path: ${path} }\n    readiness_route: { port: 5001, path: /health }\n    scoring_route: { port: 5001, path: /score }\ninstance_type: Standard_DS3_v2\n`;
  test("refuses '/' alone, which the REST spec's Route.path pattern refuses, and says what to write", () => {
    expect(() => parseDeploymentSpec(spec('/'), 'd.yaml')).toThrow(/liveness_route\.path.*letter, digit or '_'.*\/health/);
    expect(parseDeploymentSpec(spec('/health'), 'd.yaml').environment).toMatchObject({
      inference_config: { liveness_route: { path: '/health' } },
    });
  });
});
