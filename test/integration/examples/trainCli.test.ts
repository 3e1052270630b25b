import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = join(__dirname, '..', '..', '..');
const sample = join(repo, 'examples', 'tabular', 'sample.csv');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an example script as the job runner would: a real node process with tsx. */
function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(repo, 'examples', 'tabular', script), ...args],
      { cwd: join(repo, 'examples', 'tabular'), env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

let dir: string;
let badFiles = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'train-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('train.ts as a job process', () => {
  it('trains twice on the same data and seed into byte-identical model.json, reporting progress and metrics', async () => {
    const metricsFile = join(dir, 'metrics.jsonl');
    const args = (out: string) => ['--data', sample, '--label', 'label', '--seed', '42', '--model-dir', join(dir, out)];
    const first = await runScript('train.ts', args('a'), { AUTOPILOT_METRICS_FILE: metricsFile });
    const second = await runScript('train.ts', args('b'));
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(second.code).toBe(0);
    expect(first.stdout).toContain('read 300 rows x 9 columns');
    expect(first.stdout).toMatch(/stopped after \d+ iterations/);
    const modelA = readFileSync(join(dir, 'a', 'model.json'));
    expect(modelA.equals(readFileSync(join(dir, 'b', 'model.json')))).toBe(true);
    expect(JSON.parse(modelA.toString())).toMatchObject({ labelColumn: 'label', classes: [0, 1] });

    const metrics = readFileSync(metricsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const names = metrics.map((m: { name: string }) => m.name);
    expect(names).toEqual(
      expect.arrayContaining(['train_auc', 'train_accuracy', 'train_log_loss', 'validation_auc', 'iterations', 'fit_seconds']),
    );
    const trainAuc = metrics.find((m: { name: string }) => m.name === 'train_auc').value;
    expect(trainAuc).toBeGreaterThan(0.75);
    expect(trainAuc).toBeLessThan(1);
  });

  it('trains a multiclass model on a file written by generate.ts', async () => {
    const data = join(dir, 'multi.csv');
    const generated = await runScript('generate.ts', ['--rows', '1500', '--classes', '3', '--seed', '5', '--out', data]);
    expect(generated.code).toBe(0);
    const trained = await runScript('train.ts', ['--data', data, '--label', 'label', '--seed', '1', '--model-dir', join(dir, 'multi')]);
    expect(trained.code).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 'multi', 'model.json'), 'utf8'));
    expect(model.classes).toEqual([0, 1, 2]);
    expect(model.training.metrics.validation.accuracy).toBeGreaterThan(0.5);
  });

  it.each([
    ['an empty file', '', 'the file is empty'],
    ['a header without rows', 'a,label\n', 'the file has a header but no data rows'],
    ['a missing label column', 'tenure,plan\n1,a\n2,b\n', "no label column 'label'; columns found: tenure, plan"],
    ['a ragged row', 'x,plan,label\n1,a,0\n2,b,1\n3,c\n', 'Invalid Record Length: expect 3, got 2 on line 4'],
    ['a single class', 'x,label\n1,yes\n2,yes\n', 'label column \'label\' has only the class "yes"'],
  ])('exits with code 2 and a clear message for %s', async (_what, content, message) => {
    const data = join(dir, `bad-${++badFiles}.csv`);
    writeFileSync(data, content);
    const outcome = await runScript('train.ts', ['--data', data, '--label', 'label', '--seed', '1', '--model-dir', join(dir, 'bad')]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(data);
    expect(outcome.stderr).toContain(message);
  });
});
