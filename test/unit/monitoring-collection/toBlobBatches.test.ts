import { toBlobBatches } from '../../../adapters/local/inference/toBlobBatches';
import type { InferenceRecord } from '../../../shared/monitoring/inferenceRecord';

const record = (deployment: string, time: string, requestId: string): InferenceRecord => ({
  requestId,
  endpoint: 'e',
  environment: 'prod',
  deployment,
  model: { name: 'm', version: 1 },
  time,
  input: {},
  prediction: 1,
});

describe('toBlobBatches: one blob per deployment and UTC hour', () => {
  it('groups by deployment and hour, in arrival order, at most `max` records each', () => {
    const records = [
      record('a', '2025-01-02T03:59:59.999Z', '1'),
      record('b', '2025-01-02T03:10:00.000Z', '2'),
      record('a', '2025-01-02T04:00:00.000Z', '3'),
      record('a', '2025-01-02T03:00:00.000Z', '4'),
      record('a', '2025-01-02T03:30:00.000Z', '5'),
    ];
    const ids = toBlobBatches(records, 2).map((batch) => batch.map((r) => r.requestId));
    expect(ids).toEqual([['1', '4'], ['5'], ['2'], ['3']]);
  });

  it('reads the hour of a time in another form in UTC', () => {
    const records = [
      record('a', '2025-01-02T05:30:00+02:00', '1'),
      record('a', '2025-01-02T03:10:00.000Z', '2'),
      record('a', '2025-01-02T04:10:00.000Z', '3'),
    ];
    expect(toBlobBatches(records, 10).map((batch) => batch.map((r) => r.requestId))).toEqual([['1', '2'], ['3']]);
  });
});
