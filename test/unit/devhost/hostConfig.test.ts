import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyLocalSettings, loadHostConfig, parseTimeSpan } from '../../../devhost/hostConfig';
import { isAuthorized, loadOrCreateHostKeys } from '../../../devhost/hostKeys';
import { ConfigError } from '../../../shared/errors';

describe('loadHostConfig', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hostcfg-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, value: unknown) => writeFileSync(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value));

  it("reads the route prefix, queue settings and timeout with the real host's defaults", () => {
    write('host.json', {
      version: '2.0',
      extensions: { queues: { maxPollingInterval: '00:00:02', visibilityTimeout: '00:00:05', batchSize: 8 } },
      functionTimeout: '00:10:00',
    });
    write('local.settings.json', { IsEncrypted: false, Values: { A: '1' }, Host: { LocalHttpPort: 7999 } });
    expect(loadHostConfig(dir)).toEqual({
      routePrefix: 'api',
      queues: { maxPollingInterval: 2000, visibilityTimeout: 5000, batchSize: 8, maxDequeueCount: 5, newBatchThreshold: 4 },
      functionTimeoutMs: 600_000,
      values: { A: '1' },
      localHttpPort: 7999,
    });
  });

  it('names the file and the field of an invalid setting', () => {
    write('host.json', { version: '2.0', extensions: { queues: { visibilityTimeout: '5 seconds' } } });
    expect(() => loadHostConfig(dir)).toThrow(ConfigError);
    expect(() => loadHostConfig(dir)).toThrow(/host\.json[\s\S]*extensions\.queues\.visibilityTimeout: '5 seconds' is not a duration/);
    write('host.json', { version: '2.0' });
    write('local.settings.json', { Values: { PORT: 7071 } });
    expect(() => loadHostConfig(dir)).toThrow(/local\.settings\.json[\s\S]*Values\.PORT/);
  });

  it('refuses a missing host.json and broken JSON', () => {
    expect(() => loadHostConfig(dir)).toThrow(/host\.json[\s\S]*file not found/);
    write('host.json', '{ "version": ');
    expect(() => loadHostConfig(dir)).toThrow(/not valid JSON/);
  });

  it('parses TimeSpan forms', () => {
    expect(parseTimeSpan('00:00:30')).toBe(30_000);
    expect(parseTimeSpan('1.02:00:00')).toBe(26 * 3600_000);
    expect(parseTimeSpan('00:00:00.250')).toBe(250);
    expect(parseTimeSpan('00:61:00')).toBeUndefined();
  });

  it('puts Values into the environment without overriding what is set', () => {
    const env: NodeJS.ProcessEnv = { KEEP: 'mine' };
    expect(applyLocalSettings({ KEEP: 'theirs', NEW: 'x' }, env)).toEqual(['NEW']);
    expect(env).toEqual({ KEEP: 'mine', NEW: 'x' });
  });
});

describe('host keys', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hostkeys-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are created once with mode 0600 and reused on the next start', () => {
    const first = loadOrCreateHostKeys(dir);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    chmodSync(first.path, 0o644);
    const second = loadOrCreateHostKeys(dir);
    expect(second.keys).toEqual(first.keys);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(first.path, 'utf8')).systemKeys.eventgrid_extension).toBe(first.keys.systemKeys['eventgrid_extension']);
  });

  it('authorize like Azure: function keys for function level, only the master key for admin', () => {
    const { keys } = loadOrCreateHostKeys(dir);
    const functionKey = keys.functionKeys['default']!;
    expect(isAuthorized(keys, 'anonymous', undefined)).toBe(true);
    expect(isAuthorized(keys, 'function', undefined)).toBe(false);
    expect(isAuthorized(keys, 'function', functionKey)).toBe(true);
    expect(isAuthorized(keys, 'function', keys.masterKey)).toBe(true);
    expect(isAuthorized(keys, 'admin', functionKey)).toBe(false);
    expect(isAuthorized(keys, 'admin', keys.masterKey)).toBe(true);
    expect(isAuthorized(keys, 'system', functionKey, 'eventgrid_extension')).toBe(false);
    expect(isAuthorized(keys, 'system', keys.systemKeys['eventgrid_extension'], 'eventgrid_extension')).toBe(true);
  });

  it('refuse a damaged key file with a hint', () => {
    writeFileSync(join(dir, 'host-keys.json'), '{"masterKey": 1}');
    expect(() => loadOrCreateHostKeys(dir)).toThrow(/host-keys\.json[\s\S]*delete the file/);
  });
});
