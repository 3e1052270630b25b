import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '..', '..', '..');

function runMain(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'devhost', 'main.ts'), ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('npm start (devhost/main.ts)', () => {
  let dir: string;
  let blocker: Server | undefined;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'devhost-main-'))));
  afterEach(async () => {
    await new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r()));
    blocker = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 1 with a one-line error naming a missing functions entry', async () => {
    const { code, stderr } = await runMain([
      '--functions',
      'functions/missing-entry.ts',
      '--state-dir',
      dir,
      '--port',
      '0',
      '--blob-port',
      '0',
      '--queue-port',
      '0',
      '--table-port',
      '0',
    ]);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('functions/missing-entry.ts: file not found');
  });

  it('exits 1 saying which port is taken and which option changes it', async () => {
    blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port)),
    );
    const { code, stderr } = await runMain([
      '--functions',
      join('test', 'fixtures', 'functions-app', 'index.ts'),
      '--state-dir',
      dir,
      '--port',
      '0',
      '--blob-port',
      String(port),
      '--queue-port',
      '0',
      '--table-port',
      '0',
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain(`Port ${port} (Azurite blob service) is already in use`);
    expect(stderr).toContain('--blob-port');
  });
});
