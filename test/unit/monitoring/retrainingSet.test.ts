import { parseConfig } from '../../../shared/config/parseConfig';
import { ConcurrencyError } from '../../../shared/errors';
import { buildRetrainingSet } from '../../../shared/monitoring/retrainingSet';
import type { BlobRef, DataStore } from '../../../shared/ports';
import { MemoryDataStore } from '../release/fakes';
import { configText } from '../release/harness';

const policy = parseConfig(configText()).pipelines.default!;
const now = new Date('2026-12-01T00:00:00Z');
const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000);

/** A store that dates blobs by `clock` and refuses whole-blob reads: files may be near data.maxMegabytes. */
function streamingOnly() {
  let clock = at(40);
  const memory = new MemoryDataStore(() => clock);
  const store: DataStore = {
    ...pick(memory),
    read: async (ref: BlobRef) => {
      throw new Error(`read the whole of ${ref.name}; the retraining set must stream`);
    },
  };
  const put = async (name: string, text: string, daysAgo: number) => {
    clock = at(daysAgo);
    return memory.write({ container: policy.data.container, name }, text);
  };
  return { memory, store, put };
}

function pick(memory: MemoryDataStore): DataStore {
  return {
    read: (ref) => memory.read(ref),
    getInfo: (ref) => memory.getInfo(ref),
    write: (ref, c) => memory.write(ref, c),
    readStream: (ref, o) => memory.readStream(ref, o),
    openWrite: (ref, o) => memory.openWrite(ref, o),
    list: (c, p) => memory.list(c, p),
    urlOf: (ref) => memory.urlOf(ref),
  };
}

async function text(memory: MemoryDataStore, name: string) {
  return (await memory.read({ container: 'autopilot-artifacts', name })).content.toString();
}

describe('buildRetrainingSet', () => {
  it("concatenates the window's files of the newest shape, oldest first, streaming them, and appends labelled requests", async () => {
    const { memory, store, put } = await streamingOnly();
    await put('default/old.csv', 'x,color,label\n1,red,yes\n', 45); // outside the 30-day window
    await put('default/day1.csv', 'x,color,label\n2,"red, dark",yes\n3,blue,no\n', 20);
    await put('default/other-shape.csv', 'x,label\n4,no\n', 15);
    await put('default/broken.csv', 'x,color,label\n5,red,yes\n6,blue\n', 12); // ragged at line 3
    await put('default/notes.txt', 'just words\n', 11);
    await put('default/day9.csv', 'x,color,label\n7,red,no\n', 10);
    const set = await buildRetrainingSet('default', policy, store, 'autopilot-artifacts', now, [
      { requestId: 'r1', label: 'yes', input: { x: 8 }, prediction: 'no' },
    ]);
    expect(set).toMatchObject({
      rows: 4,
      productionRows: 1,
      sources: ['default/day1.csv', 'default/day9.csv', '1 labelled production requests'],
    });
    expect(await text(memory, set!.blob.name)).toBe('x,color,label\n2,"red, dark",yes\n3,blue,no\n7,red,no\n8,,yes\n');
  });

  it('leaves out a file that is not UTF-8 (a Latin-1 export) instead of retraining on U+FFFD', async () => {
    const { memory, store, put } = await streamingOnly();
    await put('default/day1.csv', 'x,color,label\n2,red,yes\n', 20);
    await put('default/latin1.csv', '', 15);
    await memory.write(
      { container: policy.data.container, name: 'default/latin1.csv' },
      Buffer.from('x,color,label\n9,caf\u00e9,no\n', 'latin1'),
    );
    const set = await buildRetrainingSet('default', policy, store, 'autopilot-artifacts', now);
    expect(set).toMatchObject({ rows: 1, sources: ['default/day1.csv'] });
    expect(await text(memory, set!.blob.name)).not.toContain('\ufffd');
  });

  it('builds nothing when the window holds no training file', async () => {
    const { store, put } = await streamingOnly();
    await put('default/old.csv', 'x,color,label\n1,red,yes\n', 45);
    expect(await buildRetrainingSet('default', policy, store, 'autopilot-artifacts', now)).toBeUndefined();
  });

  it('fails, writing nothing, when a file is overwritten between its check and its copy', async () => {
    const { memory, store, put } = await streamingOnly();
    await put('default/day1.csv', 'x,color,label\n2,red,yes\n', 20);
    let streams = 0;
    const racing: DataStore = {
      ...store,
      readStream: async (ref, options) => {
        // The second stream of the file is the copy: overwrite it just before.
        if (++streams === 2) await memory.write({ container: ref.container, name: ref.name }, 'x,color,label\n9,blue,no\n');
        return store.readStream(ref, options);
      },
    };
    await expect(buildRetrainingSet('default', policy, racing, 'autopilot-artifacts', now)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await memory.list('autopilot-artifacts', 'retrain/')).toEqual([]);
  });
});
