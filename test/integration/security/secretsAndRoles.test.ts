import { BlobServiceClient } from '@azure/storage-blob';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { startChildStack, type ChildStack } from '../../../devhost/childStack';
import { waitFor } from '../../support/waitFor';
import { generateCsv } from '../../../examples/tabular/generate';
import { APP_ID_URI, FakeEntraId, TENANT } from '../../fakes/entra/FakeEntraId';

/**
 * Security as an operator sees it, on the real stack: the route x role table holds for
 * every mutating route, and no secret the stack holds (API tokens, host keys, the storage
 * account key, SAS signatures) appears in anything it prints, stores or answers during a
 * whole run: a release, a rejected upload, refused calls, an alert, prod scoring.
 */
jest.setTimeout(300_000);

const ROOT = resolve(__dirname, '../../..');
const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
let stack: ChildStack;
let entra: FakeEntraId;
/** Entra ID tokens by the app roles they carry (what an operator's `az account get-access-token` gives). */
const entraTokens = new Map<string, string>();
let printed = '';
const answers: string[] = [];

beforeAll(async () => {
  entra = await FakeEntraId.start();
  for (const roles of ENTRA_ROLES) entraTokens.set(roles, await entra.token(roles.split(' ')));
  stack = await startChildStack(join(ROOT, 'test/fixtures/e2e/autopilot.yaml'), {
    jobPollSeconds: '0.5',
    // Entra ID sign-in beside the local tokens, against the local stand-in for the tenant's keys.
    env: { AUTOPILOT_ENTRA_TENANT_ID: TENANT, AUTOPILOT_ENTRA_AUDIENCE: APP_ID_URI, AUTOPILOT_ENTRA_AUTHORITY: entra.authority },
    onOutput: (chunk) => {
      printed += chunk;
    },
  });
  // One release to run through while the tests below look at it.
  const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
  await container.createIfNotExists();
  const csv = generateCsv({ rows: 400, seed: 3 });
  await container.getBlockBlobClient('default/secrets-run.csv').upload(csv, Buffer.byteLength(csv));
});
afterAll(async () => {
  await stack?.stop();
  await entra?.stop();
});

async function call(method: string, path: string, as: string | undefined, body?: unknown): Promise<number> {
  const bearer = as === undefined ? undefined : (entraTokens.get(as) ?? stack.token(as));
  const response = await fetch(`${stack.api}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  answers.push(`${method} ${path} ${response.status} ${await response.text()}`);
  return response.status;
}

/** Allowed: anything but 401/403 (the call may still be refused for its content: 400, 404, 409). */
const ROLE_TABLE: { method: string; path: string; allowed: string[] }[] = [
  { method: 'POST', path: '/releases', allowed: ['local-ml-engineer', 'local-data-scientist'] },
  { method: 'POST', path: '/releases/none/approve', allowed: ['local-ml-engineer'] },
  { method: 'POST', path: '/releases/none/promote', allowed: ['local-ml-engineer'] },
  { method: 'POST', path: '/releases/none/rollback', allowed: ['local-ml-engineer'] },
  { method: 'POST', path: '/pipelines/nope/rollback', allowed: ['local-ml-engineer'] },
  { method: 'POST', path: '/monitors/nope/run', allowed: ['local-ml-engineer', 'local-data-scientist'] },
];
const ROLES = ['local-ml-engineer', 'local-data-scientist', 'local-reader'];
/** Entra ID app roles standing for the local principals, plus an engineer of staging only (no prod rights). */
const ENTRA_ROLES = ['MLEngineer.Dev MLEngineer.Staging MLEngineer.Prod', 'DataScientist.Dev', 'Reader', 'MLEngineer.Staging'];
const AS_ENTRA: Record<string, string> = {
  'local-ml-engineer': ENTRA_ROLES[0]!,
  'local-data-scientist': ENTRA_ROLES[1]!,
  'local-reader': ENTRA_ROLES[2]!,
};

describe('roles and secrets on the embedded stack', () => {
  it('allows each mutating route to exactly the roles of the table, and to nobody without a token', async () => {
    const seen: string[] = [];
    const expected: string[] = [];
    for (const { method, path, allowed } of ROLE_TABLE) {
      for (const role of ROLES) {
        const status = await call(method, path, role, { pipeline: 'nope' });
        seen.push(`${method} ${path} ${role}: ${status === 403 || status === 401 ? 'refused' : 'allowed'}`);
        expected.push(`${method} ${path} ${role}: ${allowed.includes(role) ? 'allowed' : 'refused'}`);
      }
      expect(await call(method, path, undefined)).toBe(401);
    }
    expect(seen).toEqual(expected);
  });

  it('holds the same table for Entra ID tokens by their app roles; an engineer of staging only may do nothing in prod', async () => {
    const seen: string[] = [];
    const expected: string[] = [];
    for (const { method, path, allowed } of ROLE_TABLE) {
      for (const role of ROLES) {
        const status = await call(method, path, AS_ENTRA[role], { pipeline: 'nope' });
        seen.push(`${method} ${path} ${AS_ENTRA[role]}: ${status === 403 || status === 401 ? 'refused' : 'allowed'}`);
        expected.push(`${method} ${path} ${AS_ENTRA[role]}: ${allowed.includes(role) ? 'allowed' : 'refused'}`);
      }
    }
    expect(seen).toEqual(expected);
    expect(await call('POST', '/releases/none/approve', 'MLEngineer.Staging')).toBe(403);
    expect(await call('GET', '/releases', 'MLEngineer.Staging')).toBe(200);
    // A token for another API, or signed by someone else, is nobody.
    const foreign = await entra.token(['MLEngineer.Prod'], { aud: 'api://another-app' });
    const refused = await fetch(`${stack.api}/releases`, { headers: { authorization: `Bearer ${foreign}` } });
    expect(refused.status).toBe(401);
  });

  it('a reader cannot cancel a release, whatever its stage', async () => {
    const id = await waitFor('the release of the upload', async () => {
      const response = await fetch(`${stack.api}/releases`, { headers: { authorization: `Bearer ${stack.token('local-reader')}` } });
      return ((await response.json()) as { releases: { id: string; data?: { blob: string } }[] }).releases.find(
        (r) => r.data?.blob === 'default/secrets-run.csv',
      )?.id;
    });
    expect(await call('POST', `/releases/${id}/cancel`, 'local-reader')).toBe(403);
  });

  it('prints, stores and answers no secret during a whole run', async () => {
    const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
    await container.getBlockBlobClient('default/broken.csv').upload('label,a\n1\n', 10);
    const done = await waitFor(
      'both uploads to end',
      async () => {
        const response = await fetch(`${stack.api}/releases`, { headers: { authorization: `Bearer ${stack.token()}` } });
        const { releases } = (await response.json()) as { releases: { id: string; status: string; data?: { blob: string } }[] };
        const ours = releases.filter((r) => ['default/secrets-run.csv', 'default/broken.csv'].includes(r.data?.blob ?? ''));
        return ours.length === 2 && ours.every((r) => !['queued', 'running'].includes(r.status)) ? ours : undefined;
      },
      { timeoutMs: 240_000 },
    );
    expect(done.map((r) => r.status).sort()).toEqual(['rejected', 'succeeded']);

    // Refused and odd calls: their error messages are where a secret would leak.
    await fetch(`${stack.api}/releases`, { headers: { authorization: 'Bearer forged-token-0123456789' } }).then((r) => r.text());
    await fetch(`${stack.api}/alerts?code=wrong-key`, { method: 'POST', body: '{}' }).then((r) => r.text());
    const alertKey = (JSON.parse(readFileSync(join(stack.stateDir, 'host-keys.json'), 'utf8')) as { functionKeys: { default: string } })
      .functionKeys.default;
    await fetch(`${stack.api}/alerts?code=${alertKey}`, {
      method: 'POST',
      body: readFileSync(join(ROOT, 'test/fixtures/alerts/metric-fired.json')),
    }).then((r) => r.text());
    const score = await fetch(`${stack.endpoints}/default-prod/score`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input_data: { columns: ['tenure_months'], data: [[1]] } }),
    });
    answers.push(await score.text());
    for (const path of [
      '/releases',
      `/releases/${done[0]!.id}`,
      `/releases/${done[0]!.id}/log`,
      `/releases/${done[0]!.id}/report`,
      `/releases/${done[0]!.id}/report?format=md`,
      `/releases/${done[1]!.id}`,
      '/events?limit=1000',
      '/alerts',
      '/models',
      '/endpoints',
      '/monitors/default',
      '/audit?since=1h',
    ]) {
      await call('GET', path, 'local-ml-engineer');
    }
    const { endpoints } = JSON.parse(
      answers
        .find((a) => a.startsWith('GET /endpoints '))!
        .split(' ')
        .slice(3)
        .join(' '),
    ) as { endpoints: { name: string; traffic: Record<string, number> }[] };
    for (const endpoint of endpoints)
      for (const deployment of Object.keys(endpoint.traffic))
        await call('GET', `/endpoints/${endpoint.name}/deployments/${deployment}/logs`, 'local-ml-engineer');

    const secrets = secretsOf(stack.stateDir);
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    const stored = filesUnder(stack.stateDir).filter((f) => !/^(tokens\.json|host-keys\.json|azurite\/)/.test(relative(stack.stateDir, f)));
    const places: [string, string][] = [
      ['the stack output', printed],
      ['API answers', answers.join('\n')],
      ...stored.map((f): [string, string] => [f, readFileSync(f, 'latin1')]),
    ];
    const leaks = places.flatMap(([where, text]) => secrets.filter((s) => text.includes(s.value)).map((s) => `${s.name} in ${where}`));
    const sas = places.filter(([, text]) => /[?&]sig=[A-Za-z0-9%+/=]{20,}/.test(text)).map(([where]) => `a SAS signature in ${where}`);
    expect([...leaks, ...sas]).toEqual([]);
    expect(stored.length).toBeGreaterThan(5);
  });
});

function secretsOf(stateDir: string): { name: string; value: string }[] {
  const tokens = (JSON.parse(readFileSync(join(stateDir, 'tokens.json'), 'utf8')) as { tokens: { token: string; principal: string }[] })
    .tokens;
  const keys = JSON.parse(readFileSync(join(stateDir, 'host-keys.json'), 'utf8')) as {
    masterKey: string;
    functionKeys: Record<string, string>;
    systemKeys: Record<string, string>;
  };
  return [
    ...tokens.map((t) => ({ name: `the token of ${t.principal}`, value: t.token })),
    ...[...entraTokens].map(([roles, value]) => ({ name: `the Entra ID token with ${roles}`, value })),
    { name: 'the master key', value: keys.masterKey },
    ...Object.entries(keys.functionKeys).map(([k, value]) => ({ name: `function key ${k}`, value })),
    ...Object.entries(keys.systemKeys).map(([k, value]) => ({ name: `system key ${k}`, value })),
    { name: 'the storage account key', value: AZURITE_ACCOUNT_KEY },
    { name: 'the storage account key (URL-encoded)', value: encodeURIComponent(AZURITE_ACCOUNT_KEY) },
  ];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stats = statSync(path, { throwIfNoEntry: false });
    if (!stats) return [];
    return stats.isDirectory() ? filesUnder(path) : stats.size < 20_000_000 ? [path] : [];
  });
}
