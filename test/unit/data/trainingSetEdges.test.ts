import { parseBlobCreated } from '../../../shared/events/blobCreated';
import type { Release } from '../../../shared/release/types';
import { csv, harness } from '../release/harness';

/** Adversarial cases for data.trainingSet (shared/data/trainingSet.ts, validate stage). */

async function release(h: ReturnType<typeof harness>, name: string, content: string): Promise<Release> {
  const result = (await h.engine.onDataArrival(parseBlobCreated(await h.upload(name, content)))) as { release: { id: string } };
  await h.drain();
  return (await h.engine.repo.get(result.release.id))!.value;
}

function union() {
  const h = harness();
  h.deps.config.pipelines.default!.data.trainingSet = 'all';
  h.deps.config.pipelines.default!.evaluation.minImprovement = 0;
  return h;
}

describe('data.trainingSet: adversarial', () => {
  it('refuses a non-UTF-8 (Latin-1) file in the set, naming it, as it refuses that file on its own', async () => {
    const latin1 = Buffer.from(
      'x,color,label\n' + Array.from({ length: 40 }, (_, i) => `${i - 20},caf\u00e9,${i % 2 ? 'yes' : 'no'}`).join('\n') + '\n',
      'latin1',
    );
    // On its own ('latest'), the gate refuses this file: it is not UTF-8.
    const alone = harness();
    await alone.data.write({ container: 'training-data', name: 'default/z-export.csv' }, latin1);
    const refused = await (async () => {
      const info = (await alone.data.getInfo({ container: 'training-data', name: 'default/z-export.csv' }))!;
      const event = await alone.upload('default/ignored.csv', 'x');
      event.subject = '/blobServices/default/containers/training-data/blobs/default/z-export.csv';
      event.data = { ...event.data, eTag: info.eTag, contentLength: info.contentLength, url: info.url };
      const r = (await alone.engine.onDataArrival(parseBlobCreated(event))) as { release: { id: string } };
      await alone.drain();
      return (await alone.engine.repo.get(r.release.id))!.value;
    })();
    expect(refused.status).toBe('rejected');
    expect(refused.reason).toMatch(/z-export\.csv.*not a CSV text file/);

    // In a union it is decoded with U+FFFD replacement characters and trained on.
    const h = union();
    await h.data.write({ container: 'training-data', name: 'default/z-export.csv' }, latin1);
    const after = await release(h, 'default/a.csv', csv(600, 1)); // > 8 KiB before the Latin-1 rows
    const train = after.data?.trainBlob ? (h.data.blobs.get(`autopilot-artifacts/${after.data.trainBlob}`)?.content.toString() ?? '') : '';
    expect(train).not.toContain('\uFFFD');
    expect(after.status).toBe('rejected');
    expect(after.reason).toMatch(/default\/z-export\.csv/);
  });

  it('names the arriving file when it is the one that is not CSV text (a UTF-16 "Unicode Text" export), not a good file under the prefix', async () => {
    const h = union();
    await h.data.write({ container: 'training-data', name: 'default/a.csv' }, csv(60, 1));
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv(60, 2), 'utf16le')]);
    const info = await h.data.write({ container: 'training-data', name: 'default/b.txt' }, utf16);
    const event = await h.upload('default/placeholder-not-used.bin', '');
    h.data.blobs.delete('training-data/default/placeholder-not-used.bin');
    event.subject = '/blobServices/default/containers/training-data/blobs/default/b.txt';
    event.data = { ...event.data, eTag: info.eTag, contentLength: info.contentLength, url: info.url };
    const r = (await h.engine.onDataArrival(parseBlobCreated(event))) as { release: { id: string } };
    await h.drain();
    const after = (await h.engine.repo.get(r.release.id))!.value;
    expect(after.status).toBe('rejected');
    // Today: "training-data/default/a.csv: its columns [x, color, label] are not those of default/b.txt [\uFFFD\uFFFDx\0, ...]; ... move that file out of the prefix"
    expect(after.reason).not.toMatch(/^training-data\/default\/a\.csv/);
    expect(after.reason).toMatch(/default\/b\.txt: .*not a CSV text file/);
  });

  it('does not fail the release when an older file is moved out of the prefix while the set is being read', async () => {
    const h = union();
    await h.data.write({ container: 'training-data', name: 'default/2026-10.csv' }, csv(60, 1));
    const list = h.data.list.bind(h.data);
    h.data.list = async (container: string, prefix: string) => {
      const listed = await list(container, prefix);
      // The user follows the advice "move that file out of the prefix" a moment after the listing.
      h.data.blobs.delete('training-data/default/2026-10.csv');
      return listed;
    };
    const after = await release(h, 'default/2026-12.csv', csv(60, 2));
    // Today: status 'failed', reason "validate failed: blob 'training-data/default/2026-10.csv' not found"
    expect(after.status).not.toBe('failed');
    expect(after.stages.validate?.status).toBe('succeeded');
    expect(after.data!.trainingSet!.sources.map((s) => s.blob)).toEqual(['default/2026-12.csv']);
  });

  it('refuses a set whose listed sizes already exceed data.maxMegabytes without streaming every file into a union first', async () => {
    const h = union();
    h.deps.config.pipelines.default!.data.maxMegabytes = 0.05; // 52 KB
    for (const month of ['01', '02', '03', '04'])
      await h.data.write({ container: 'training-data', name: `default/2026-${month}.csv` }, csv(1500, Number(month)));
    const reads: string[] = [];
    const readStream = h.data.readStream.bind(h.data);
    h.data.readStream = (ref, options) => {
      reads.push(`${ref.container}/${ref.name}`);
      return readStream(ref, options);
    };
    const after = await release(h, 'default/2026-05.csv', csv(100, 5));
    expect(after.status).toBe('rejected');
    expect(after.reason).toMatch(/over data\.maxMegabytes/);
    // The listing already said so: the four large files need not be downloaded (nor a union uploaded).
    expect(reads.filter((r) => /2026-0[1-4]/.test(r))).toEqual([]);
    expect(h.data.blobs.has(`autopilot-artifacts/releases/${after.id}/training-set.csv`)).toBe(false);
  });
});
