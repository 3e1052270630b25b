import { createHash } from 'node:crypto';
import { parseConfig } from '../../../shared/config/parseConfig';
import { DataValidationError } from '../../../shared/errors';
import { normalizeETag } from '../../../shared/events/blobCreated';
import { buildTrainingSet } from '../../../shared/data/trainingSet';
import type { PipelineConfig } from '../../../shared/config/schema';
import { MemoryDataStore } from '../release/fakes';
import { configText } from '../release/harness';

const now = new Date('2026-12-01T00:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

function policy(trainingSet: string): PipelineConfig['data'] {
  return parseConfig(
    configText().replace('data: { prefix: default/, minRows: 20 }', `data: { prefix: default/, minRows: 20, trainingSet: ${trainingSet} }`),
  ).pipelines.default!.data;
}

/** A store whose blobs are dated by `clock`, with files written in the order given. */
function store(files: [name: string, text: string, ageDays: number][]) {
  let clock = now;
  const memory = new MemoryDataStore(() => clock);
  return {
    memory,
    ready: (async () => {
      const infos = [];
      for (const [name, text, age] of files) {
        clock = daysAgo(age);
        infos.push(await memory.write({ container: 'training-data', name }, text));
      }
      return infos;
    })(),
  };
}

const target = { container: 'autopilot-artifacts', name: 'releases/r1/training-set.csv' };
const text = (memory: MemoryDataStore) => memory.blobs.get(`${target.container}/${target.name}`)!.content.toString();
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('buildTrainingSet', () => {
  it('concatenates every CSV under the prefix in name order under one header, listing each with eTag, SHA-256 and rows', async () => {
    const a = 'x,label\n1,yes\n2,no\n';
    const b = 'x,label\n3,"y, es"\n';
    const { memory, ready } = store([
      ['default/b.csv', b, 1],
      ['default/notes.json', '{}', 1],
      ['default/a.csv', a, 2],
      ['other/c.csv', a, 1],
    ]);
    const [bInfo, , aInfo] = await ready;
    const set = await buildTrainingSet(
      memory,
      policy('all'),
      { container: 'training-data', name: 'default/b.csv', eTag: bInfo!.eTag, contentLength: bInfo!.contentLength },
      target,
      now,
    );
    expect(text(memory)).toBe('x,label\n1,yes\n2,no\n3,"y, es"\n');
    expect(set.sources).toEqual([
      { blob: 'default/a.csv', eTag: normalizeETag(aInfo!.eTag), sha256: sha(a), rows: 2 },
      { blob: 'default/b.csv', eTag: normalizeETag(bInfo!.eTag), sha256: sha(b), rows: 1 },
    ]);
  });

  it('gives the same bytes for the same files whatever order they arrived in', async () => {
    const files: [string, string, number][] = [
      ['default/2026-11.csv', 'x,label\n1,yes\n', 3],
      ['default/2026-12.csv', 'x,label\n2,no\n', 2],
    ];
    const first = store(files);
    const second = store([...files].reverse());
    const [, last] = await first.ready;
    const [, secondLast] = await second.ready;
    await buildTrainingSet(
      first.memory,
      policy('all'),
      { container: 'training-data', name: 'default/2026-12.csv', eTag: last!.eTag, contentLength: last!.contentLength },
      target,
      now,
    );
    await buildTrainingSet(
      second.memory,
      policy('all'),
      { container: 'training-data', name: 'default/2026-11.csv', eTag: secondLast!.eTag, contentLength: secondLast!.contentLength },
      target,
      now,
    );
    expect(text(first.memory)).toBe(text(second.memory));
  });

  it('with windowDays takes the files modified in the window, and always the one that arrived', async () => {
    const { memory, ready } = store([
      ['default/old.csv', 'x,label\n0,no\n', 40],
      ['default/recent.csv', 'x,label\n1,yes\n', 5],
      ['default/late-arrival.csv', 'x,label\n2,no\n', 45],
    ]);
    const [, , arrived] = await ready;
    const set = await buildTrainingSet(
      memory,
      policy('{ windowDays: 30 }'),
      { container: 'training-data', name: 'default/late-arrival.csv', eTag: arrived!.eTag, contentLength: arrived!.contentLength },
      target,
      now,
    );
    expect(set.sources.map((s) => s.blob)).toEqual(['default/late-arrival.csv', 'default/recent.csv']);
  });

  it('refuses a file whose header differs from the arriving file, naming both and what to do', async () => {
    const { memory, ready } = store([
      ['default/a.csv', 'x,color,label\n1,red,yes\n', 2],
      ['default/b.csv', 'x,label\n2,no\n', 1],
    ]);
    const [, b] = await ready;
    const built = buildTrainingSet(
      memory,
      policy('all'),
      { container: 'training-data', name: 'default/b.csv', eTag: b!.eTag, contentLength: b!.contentLength },
      target,
      now,
    );
    await expect(built).rejects.toThrow(DataValidationError);
    await expect(built).rejects.toThrow(
      /training-data\/default\/a\.csv: its columns \[x, color, label\] are not those of default\/b\.csv \[x, label\].*move that file out of the prefix/,
    );
    // Nothing half-written is left to train on.
    expect(memory.blobs.has(`${target.container}/${target.name}`)).toBe(false);
  });

  it('names the file and line of a broken CSV in the set', async () => {
    const { memory, ready } = store([
      ['default/a.csv', 'x,label\n1,yes\n2\n', 2],
      ['default/b.csv', 'x,label\n2,no\n', 1],
    ]);
    const [, b] = await ready;
    await expect(
      buildTrainingSet(
        memory,
        policy('all'),
        { container: 'training-data', name: 'default/b.csv', eTag: b!.eTag, contentLength: b!.contentLength },
        target,
        now,
      ),
    ).rejects.toThrow(/training-data\/default\/a\.csv.*line 3/);
  });
});

describe('data.trainingSet in autopilot.yaml', () => {
  it("defaults to 'latest' and refuses anything but latest, all or { windowDays: N }", () => {
    expect(parseConfig(configText()).pipelines.default!.data.trainingSet).toBe('latest');
    expect(policy('{ windowDays: 14 }').trainingSet).toEqual({ windowDays: 14 });
    expect(() => policy('everything')).toThrow(/pipelines\.default\.data\.trainingSet/);
    expect(() => policy('{ windowDays: 0 }')).toThrow(/pipelines\.default\.data\.trainingSet/);
  });
});
