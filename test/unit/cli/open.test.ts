import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../../cli/io';
import { main } from '../../../cli/main';

function captureIo(env: Record<string, string> = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, env, cwd: tmpdir(), stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
}

const run = (args: string[], io = captureIo()) => main(['node', 'autopilot', ...args], io).then((code) => ({ code, io }));

describe('autopilot open', () => {
  test('--as takes only the three local roles', async () => {
    const { code, io } = await run(['open', '--as', 'admin']);
    expect(code).toBe(2);
    expect(io.err.join('')).toContain('expected one of reader, data_scientist, ml_engineer');
  });

  test('--as with a given token is a usage error: that token brings its own roles', async () => {
    const { code, io } = await run(['open', '--as', 'reader', '--token', 'abc']);
    expect(code).toBe(2);
    expect(io.err.join('')).toContain("--as picks a role among the local stack's tokens; with --token the token's own roles apply");
  });

  test('--as names a principal missing from tokens.json: the error lists those it has', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'autopilot-open-'));
    try {
      writeFileSync(
        join(stateDir, 'tokens.json'),
        JSON.stringify({ tokens: [{ token: 't'.repeat(32), principal: 'local-ml-engineer', roles: [] }] }),
      );
      const { code, io } = await run(['open', '--as', 'reader', '--state-dir', stateDir]);
      expect(code).toBe(1);
      expect(io.err.join('')).toContain('has no token for local-reader (it has: local-ml-engineer)');
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
