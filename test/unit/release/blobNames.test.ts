import { BadRequestError } from '../../../shared/errors';
import { parseBlobCreated, type DataArrival } from '../../../shared/events/blobCreated';
import { csv, harness } from './harness';

/**
 * Issue 11, finding 9: a blob name with `.`/`..` segments was matched to the pipeline its
 * text starts with (`default/`) while storage read the resolved name (`p5/x.csv`). Every
 * entry point of the engine that takes a blob name from outside refuses such names.
 */
const REFUSED = [
  'default/../p5/x.csv',
  'default/./day1.csv',
  'default//day1.csv',
  'default\\day1.csv',
  'default/ctrl\u0001.csv',
  'default/%2e%2e/p5/x.csv',
];

async function expectRefused(promise: Promise<unknown>, where: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BadRequestError);
  expect((error as BadRequestError).where).toBe(where);
  expect((error as BadRequestError).message).toMatch(new RegExp(`^${where}: blob name `));
}

describe('release engine with blob names from outside', () => {
  it.each(REFUSED)('refuses the data arrival of %j and starts no release', async (name) => {
    const h = harness();
    // Storage holds the blob the resolved name points at; the event names it the crafted way.
    const arrival: DataArrival = { ...parseBlobCreated(await h.upload('p5/x.csv', csv())), blobName: name };
    await expectRefused(h.engine.onDataArrival(arrival), 'blobName');
    expect(await h.engine.repo.list()).toHaveLength(0);
    expect(h.queue.sent).toHaveLength(0);
  });

  it.each(REFUSED)('refuses a manual start on %j with a BadRequestError naming `blob`, and starts no release', async (name) => {
    const h = harness();
    await h.upload('p5/x.csv', csv());
    await h.upload('default/day1.csv', csv());
    await expectRefused(h.engine.startManual({ pipeline: 'default', blob: name, by: 'alice', requestId: `req-${name}` }), 'blob');
    expect(await h.engine.repo.list()).toHaveLength(0);
  });

  it('refuses a start from a blob whose name has dot segments', async () => {
    const h = harness();
    const info = await h.data.write({ container: 'training-data', name: 'p5/x.csv' }, csv());
    await expectRefused(
      h.engine.startFromBlob('default', { ...info, name: 'default/../p5/x.csv' }, { kind: 'drift', eventId: 'run-1' }, 'drift|run-1'),
      'blob',
    );
    expect(await h.engine.repo.list()).toHaveLength(0);
  });

  it('still starts a release on a plain name under the prefix', async () => {
    const h = harness();
    await h.upload('default/day1.csv', csv());
    const result = await h.engine.startManual({ pipeline: 'default', blob: 'default/day1.csv', by: 'alice', requestId: 'req-1' });
    expect(result.kind).toBe('created');
  });
});
