import { ExchangeGroupSchema, ExchangePacker, unpackExchanges } from '../../../adapters/local/inference/exchangeBatch';
import type { ScoredExchange } from '../../../shared/monitoring/toInferenceRecords';

function exchange(overrides: Partial<ScoredExchange> & Pick<ScoredExchange, 'requestId'>): ScoredExchange {
  return {
    endpoint: 'churn-prod',
    environment: 'prod',
    deployment: 'v001',
    model: { name: 'churn', version: 1 },
    time: new Date('2026-12-05T02:00:00.123Z'),
    latencyMs: 1.25,
    request: Buffer.from('{"data":[[1,2]]}'),
    answer: Buffer.from('[0.5]'),
    ...overrides,
  };
}

/** Through the packer, the schema (as the host reads the router's message) and back. */
function roundTrip(exchanges: ScoredExchange[]): ScoredExchange[] {
  const packer = new ExchangePacker();
  for (const one of exchanges) packer.add(one);
  const groups = packer.take();
  expect(packer.size).toBe(0);
  return groups.flatMap((group) => [...unpackExchanges(ExchangeGroupSchema.parse(structuredClone(group)))]);
}

describe('exchanges handed from the router to the host for collection', () => {
  it('arrive whole: bodies, times, ids and models, grouped by deployment', () => {
    // A body that is a view into a larger buffer (as node's pooled request bodies are) keeps only its own bytes.
    const pooled = Buffer.from('xxxx{"data":[[3,4]]}yyyy').subarray(4, 20);
    const sent = [
      exchange({ requestId: 'a' }),
      exchange({ requestId: 'b', deployment: 'v002', model: { name: 'churn', version: 2 }, request: pooled, answer: Buffer.from('[0.9]') }),
      exchange({ requestId: 'c', time: new Date('2026-12-05T02:00:01.000Z'), latencyMs: 3 }),
    ];
    const received = roundTrip(sent).sort((x, y) => x.requestId.localeCompare(y.requestId));
    expect(received.map((one) => ({ ...one, request: one.request?.toString(), answer: one.answer?.toString() }))).toEqual(
      sent.map((one) => ({ ...one, request: one.request?.toString(), answer: one.answer?.toString() })),
    );
    expect(received[1]!.request!.toString()).toBe('{"data":[[3,4]]}');
  });

  it('keep "too large to inspect" apart from an empty body', () => {
    const [tooLarge, empty] = roundTrip([
      exchange({ requestId: 'big', request: undefined, answer: Buffer.from('[1]') }),
      exchange({ requestId: 'empty', request: Buffer.alloc(0), answer: undefined }),
    ]);
    expect(tooLarge!.request).toBeUndefined();
    expect(tooLarge!.answer!.toString()).toBe('[1]');
    expect(empty!.request!.length).toBe(0);
    expect(empty!.answer).toBeUndefined();
  });

  it('are refused when the columns or the bodies do not add up', () => {
    const packer = new ExchangePacker();
    packer.add(exchange({ requestId: 'a' }));
    const [group] = packer.take();
    expect(ExchangeGroupSchema.safeParse({ ...group, times: [] }).error?.message).toMatch(/columns of churn-prod\/v001 differ in length/);
    expect(ExchangeGroupSchema.safeParse({ ...group, bytes: group!.bytes.subarray(1) }).error?.message).toMatch(
      /bodies of churn-prod\/v001 take 21 bytes, not 20/,
    );
  });
});
