import { createServer } from 'node:http';
import { ApiClient } from '../../../cli/apiClient';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import type { CliIo } from '../../../cli/io';
import { uploadBlobName, withoutQuery } from '../../../cli/blobName';
import { DEFAULT_API_URL, resolveApiSettings } from '../../../cli/settings';
import { CliError, UsageError } from '../../../cli/errors';

function captureIo(env: Record<string, string> = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, env, cwd: tmpdir(), stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
}

const run = (args: string[], io = captureIo()) => main(['node', 'autopilot', ...args], io).then((code) => ({ code, io }));

describe('autopilot option parsing', () => {
  test('a malformed --limit is a usage error (exit 2) that says what is expected', async () => {
    const { code, io } = await run(['releases', '--limit', 'ten']);
    expect(code).toBe(2);
    expect(io.err.join('')).toContain("argument 'ten' is invalid. expected a whole number from 1 to 1000.");
    expect(io.out).toEqual([]);
  });

  test('unknown commands and options are usage errors with a suggestion', async () => {
    const unknown = await run(['relases']);
    expect(unknown.code).toBe(2);
    expect(unknown.io.err.join('')).toContain('Did you mean releases?');
    expect((await run(['endpoints', '--jsn'])).code).toBe(2);
  });

  test('a port outside 1-65535 is refused', async () => {
    const { code, io } = await run(['start', '--port', '70000']);
    expect(code).toBe(2);
    expect(io.err.join('')).toContain('expected a TCP port between 1 and 65535');
  });

  test('a --url that is not http(s) is a usage error naming the flag', async () => {
    const { code, io } = await run(['--url', 'ftp://x', 'releases']);
    expect(code).toBe(2);
    expect(io.err.join('')).toContain("--url: 'ftp://x' must be an http(s) URL");
  });

  test('start --help says it starts the stack and points at `run` for releases; help exits 0', async () => {
    const { code, io } = await run(['start', '--help']);
    expect(code).toBe(0);
    const help = io.out.join('');
    expect(help).toContain('npm start');
    expect(help).toContain('autopilot run <pipeline>');
    expect(help).toContain('--state-dir');
  });
});

describe('resolveApiSettings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'autopilot-settings-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('flags win over environment variables, which win over the defaults', () => {
    expect(resolveApiSettings({}, {}, dir)).toMatchObject({ baseUrl: DEFAULT_API_URL, token: undefined });
    expect(resolveApiSettings({}, { AUTOPILOT_URL: 'http://h:1/api/', AUTOPILOT_TOKEN: 'env' }, dir)).toMatchObject({
      baseUrl: 'http://h:1/api',
      token: 'env',
    });
    expect(
      resolveApiSettings({ url: 'http://flag/api', token: 'flag' }, { AUTOPILOT_URL: 'http://h/api', AUTOPILOT_TOKEN: 'env' }, dir),
    ).toMatchObject({
      baseUrl: 'http://flag/api',
      token: 'flag',
    });
  });

  test('without a token it uses the local ML engineer token from <stateDir>/tokens.json, else the first', () => {
    const tokens = [
      { token: 'reader-tok', principal: 'local-reader', roles: ['reader'] },
      { token: 'ml-tok', principal: 'local-ml-engineer', roles: [] },
    ];
    writeFileSync(join(dir, 'tokens.json'), JSON.stringify({ tokens }));
    expect(resolveApiSettings({ stateDir: dir }, {}, '/')).toMatchObject({ token: 'ml-tok' });
    writeFileSync(join(dir, 'tokens.json'), JSON.stringify({ tokens: [tokens[0]] }));
    expect(resolveApiSettings({}, { AUTOPILOT_STATE_DIR: dir }, '/')).toMatchObject({ token: 'reader-tok' });
  });

  test('a corrupt tokens.json is reported with its path and how to recreate it', () => {
    writeFileSync(join(dir, 'tokens.json'), '{ not json');
    expect(() => resolveApiSettings({ stateDir: dir }, {}, '/')).toThrow(CliError);
    expect(() => resolveApiSettings({ stateDir: dir }, {}, '/')).toThrow(`${join(dir, 'tokens.json')} is not a valid tokens file`);
  });
});

describe('the API on Azure (Entra ID)', () => {
  test('a scope makes the CLI ask the signed-in identity for tokens; a remote URL without one says how to sign in', () => {
    expect(
      resolveApiSettings({ url: 'https://autopilot.azurewebsites.net/api' }, { AUTOPILOT_API_SCOPE: 'api://app/.default' }, '/'),
    ).toMatchObject({
      baseUrl: 'https://autopilot.azurewebsites.net/api',
      token: undefined,
      scope: 'api://app/.default',
    });
    expect(() => resolveApiSettings({ url: 'https://autopilot.azurewebsites.net/api' }, {}, '/')).toThrow(
      /is not the local stack: sign in with Entra ID \(az login, then --scope api:\/\/<appId>\/\.default/,
    );
  });

  test('sends the token the credential gives for the scope, and names the scope when there is none', async () => {
    const asked: string[] = [];
    let seen: string | undefined;
    const server = createServer((req, res) => {
      seen = req.headers.authorization;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/api`;
    try {
      const credential = {
        getToken: async (scope: string | string[]) => (
          asked.push(String(scope)),
          { token: 'entra-access-token', expiresOnTimestamp: Date.now() + 3_600_000 }
        ),
      };
      await new ApiClient({ baseUrl, token: undefined, scope: 'api://app/.default' }, { credential }).health().catch(() => undefined);
      expect(asked).toEqual(['api://app/.default']);
      expect(seen).toBe('Bearer entra-access-token');
      const failing = {
        getToken: async () => {
          throw new Error('Please run az login to setup account.\nmore');
        },
      };
      await expect(
        new ApiClient({ baseUrl, token: undefined, scope: 'api://app/.default' }, { credential: failing }).health(),
      ).rejects.toThrow(
        /could not get an Entra ID token for api:\/\/app\/\.default: Please run az login to setup account\.; sign in with az login/,
      );
    } finally {
      server.close();
    }
  });
});

describe('uploadBlobName', () => {
  test('puts the file name under the pipeline prefix, without doubling a prefix already given', () => {
    expect(uploadBlobName('default/', '/data/day1.csv')).toBe('default/day1.csv');
    expect(uploadBlobName('default/', '/data/day1.csv', '2025/may.csv')).toBe('default/2025/may.csv');
    expect(uploadBlobName('default/', '/data/day1.csv', 'default/x.csv')).toBe('default/x.csv');
  });

  test('refuses absolute names and dot segments', () => {
    expect(() => uploadBlobName('default/', 'f.csv', '/etc/passwd')).toThrow(UsageError);
    expect(() => uploadBlobName('default/', 'f.csv', '../other/x.csv')).toThrow(
      /--name: blob name "\.\.\/other\/x\.csv" has a '\.\.' path segment/,
    );
    expect(() => uploadBlobName('default/', 'f.csv', 'a//b.csv')).toThrow(UsageError);
  });

  test('refuses what the service would refuse: control characters, percent-encoded dot segments, a name ending in /', () => {
    // Uploaded anyway, such a blob starts no release, so `upload --wait` would wait for nothing.
    expect(() => uploadBlobName('default/', 'f.csv', 'ctrl\u0001.csv')).toThrow(
      /--name: blob name "ctrl\\u0001\.csv" contains the control character U\+0001/,
    );
    expect(() => uploadBlobName('default/', 'f.csv', '%2e%2e/x.csv')).toThrow(/percent-encoded/);
    expect(() => uploadBlobName('default/', 'f.csv', 'dir/')).toThrow(/ends with '\/'/);
    expect(() => uploadBlobName('default/', 'f.csv', 'x'.repeat(1100))).toThrow(/at most 1024/);
  });

  test('withoutQuery drops a SAS token from a URL before it is printed', () => {
    expect(withoutQuery('https://acct.blob.core.windows.net/c/b.csv?sv=1&sig=secret')).toBe('https://acct.blob.core.windows.net/c/b.csv');
  });
});
