import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashFolder, NON_CODE_FOLDERS } from '../../../adapters/local/workspace/hashFolder';
import { KeyedMutex } from '../../../adapters/local/workspace/keyedMutex';
import { readTail } from '../../../adapters/local/workspace/logTail';
import { validateName } from '../../../adapters/local/workspace/names';
import { readMetricsFile } from '../../../adapters/local/workspace/readMetricsFile';

describe('workspace file helpers', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ws-unit-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hashFolder depends on content and layout, not on skipped tool folders', async () => {
    writeFileSync(join(dir, 'a.js'), 'one');
    const before = await hashFolder(dir, { skip: NON_CODE_FOLDERS });
    mkdirSync(join(dir, 'node_modules'));
    writeFileSync(join(dir, 'node_modules', 'x.js'), 'dep');
    expect(await hashFolder(dir, { skip: NON_CODE_FOLDERS })).toBe(before);
    expect(await hashFolder(dir)).not.toBe(before);
    writeFileSync(join(dir, 'a.js'), 'two');
    expect(await hashFolder(dir, { skip: NON_CODE_FOLDERS })).not.toBe(before);
  });

  it('readMetricsFile keeps the last value per name and reports bad lines', async () => {
    const file = join(dir, 'metrics.jsonl');
    appendFileSync(
      file,
      '{"name":"auc","value":0.7,"step":1}\n{"name":"auc","value":0.8,"step":2}\nnope\n{"name":"f1"}\n{"name":"loss","value":0.3}\n',
    );
    const { metrics, problems } = await readMetricsFile(file);
    expect(metrics).toEqual({ auc: 0.8, loss: 0.3 });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/line 3 is not JSON/);
    expect(problems[1]).toMatch(/line 4 needs/);
    expect(await readMetricsFile(join(dir, 'missing'))).toEqual({ metrics: {}, problems: [] });
  });

  it('readTail returns the last bytes from a line start', async () => {
    const file = join(dir, 'log.txt');
    writeFileSync(file, 'first line\nsecond line\nthird line\n');
    expect(await readTail(file, 16)).toBe('third line\n');
    expect(await readTail(file, 1000)).toBe('first line\nsecond line\nthird line\n');
    expect(await readTail(join(dir, 'none'), 10)).toBe('');
  });

  it('validateName refuses names that could escape a folder', () => {
    expect(validateName('model', 'churn.v2_a-b')).toBe('churn.v2_a-b');
    for (const bad of ['..', 'a/b', '/abs', 'a\\b', '', 'x..y']) expect(() => validateName('model', bad)).toThrow(/invalid model name/);
    expect(() => validateName('endpoint', 'default-prod')).not.toThrow();
    expect(() => validateName('endpoint', '1bad')).toThrow(/3-32 letters/);
    expect(() => validateName('job', 'release-1_train')).not.toThrow();
  });

  it('KeyedMutex runs work for one key in order and other keys concurrently', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = mutex.run('a', async () => {
      await gate;
      order.push('a1');
    });
    const second = mutex.run('a', async () => {
      order.push('a2');
    });
    await mutex.run('b', async () => {
      order.push('b1');
    });
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['b1', 'a1', 'a2']);
  });
});
