import { CollectWhenIdle, type CollectWhenIdleOptions } from '../../../adapters/local/inference/collectWhenIdle';
import { ExchangePacker, type ExchangeGroup } from '../../../adapters/local/inference/exchangeBatch';

function groupOf(count: number, deployment = 'v001'): ExchangeGroup {
  const packer = new ExchangePacker();
  for (let i = 0; i < count; i++)
    packer.add({
      requestId: `${deployment}-${i}`,
      endpoint: 'churn-prod',
      environment: 'prod',
      deployment,
      model: { name: 'churn', version: 1 },
      time: new Date(0),
      latencyMs: 1,
      request: Buffer.from('{}'),
      answer: Buffer.from('[1]'),
    });
  return packer.take()[0]!;
}

/** A gate whose CPUs are as busy as the test says, at the time the test says; it never looks on its own. */
function gate(options: CollectWhenIdleOptions = {}) {
  const machine = { idleShare: 0, now: 1_000 };
  const handedOn: string[] = [];
  const waiting = new CollectWhenIdle((group) => handedOn.push(...group.requestIds), {
    probeIntervalMs: 1e9,
    ...options,
    probe: () => machine.idleShare,
    now: () => machine.now,
  });
  return { machine, handedOn, waiting };
}

describe('live requests wait for the collector while the CPUs are busy', () => {
  it('are held while busy and handed on once the CPUs were idle enough', async () => {
    const { machine, handedOn, waiting } = gate({ idleShare: 0.25 });
    waiting.hold([groupOf(3)]);
    machine.idleShare = 0.1;
    waiting.look();
    expect(handedOn).toEqual([]);
    expect(waiting.size).toBe(3);
    machine.idleShare = 0.5;
    waiting.look();
    await waiting.handOnAll();
    expect(handedOn).toEqual(['v001-0', 'v001-1', 'v001-2']);
    expect(waiting.size).toBe(0);
  });

  it('are never held longer than maxHoldMs, however busy', async () => {
    const { machine, handedOn, waiting } = gate({ maxHoldMs: 5000 });
    waiting.hold([groupOf(1)]);
    machine.now += 4999;
    waiting.look();
    expect(handedOn).toHaveLength(0);
    machine.now += 1;
    waiting.look();
    await waiting.handOnAll();
    expect(handedOn).toHaveLength(1);
  });

  it('nor more than maxHeldExchanges at a time', async () => {
    const { handedOn, waiting } = gate({ maxHeldExchanges: 5 });
    waiting.hold([groupOf(3)]);
    expect(handedOn).toHaveLength(0);
    waiting.hold([groupOf(2, 'v002')]);
    expect(handedOn).toEqual(['v001-0', 'v001-1', 'v001-2']); // the first group at once, without a look or a flush
    expect(waiting.size).toBe(2); // the next on the next turn
    await waiting.handOnAll();
    expect(handedOn).toHaveLength(5);
  });

  it('nor more than maxHeldBytes of bodies', async () => {
    const { handedOn, waiting } = gate({ maxHeldBytes: 12 });
    waiting.hold([groupOf(2)]); // 2 x (2 + 3) bytes
    expect(handedOn).toHaveLength(0);
    waiting.hold([groupOf(1, 'v002')]);
    expect(handedOn).toEqual(['v001-0', 'v001-1']); // the first group at once, without a look or a flush
    await waiting.handOnAll();
    expect(handedOn).toHaveLength(3);
  });

  it('keep being handed on after a hand-over that finished at once', async () => {
    const { machine, handedOn, waiting } = gate();
    machine.idleShare = 1;
    waiting.hold([groupOf(1, 'a')]);
    waiting.look();
    await waiting.handOnAll();
    waiting.hold([groupOf(1, 'b')]);
    waiting.look();
    await waiting.handOnAll();
    expect(handedOn).toEqual(['a-0', 'b-0']);
    waiting.hold([groupOf(1, 'c')]);
    expect(waiting.size).toBe(1); // held again, not swallowed by a hand-over long over
  });

  it('are handed on a group per turn of the event loop, in order, with those arriving meanwhile', async () => {
    const { handedOn, waiting } = gate();
    waiting.hold([groupOf(1, 'a'), groupOf(1, 'b')]);
    const drained = waiting.handOnAll();
    expect(handedOn).toEqual(['a-0']); // the host is not stalled for the whole hold
    waiting.hold([groupOf(1, 'c')]);
    await drained;
    expect(handedOn).toEqual(['a-0', 'b-0', 'c-0']);
    await expect(waiting.handOnAll()).resolves.toBeUndefined();
  });
});
