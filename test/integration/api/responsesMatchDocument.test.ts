import { BlobServiceClient } from '@azure/storage-blob';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCsv } from '../../../examples/tabular/generate';
import { startTestStack, waitFor, type TestStack } from '../e2e/localStack';
import { ResponseValidator } from '../../unit/api/openApiValidator';

// One release from upload to prod on a loaded machine; the deadline only bounds how long a failure takes.
jest.setTimeout(420_000);

const ROOT = join(__dirname, '../../..');
let stack: TestStack;
let validator: ResponseValidator;
const checked: string[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  const served = await fetch(`${stack.api}/openapi.json`);
  expect(served.status).toBe(200);
  validator = new ResponseValidator((await served.json()) as never);
});

afterAll(async () => {
  await stack?.stop();
});

interface Call {
  /** The path as the document writes it, e.g. `/api/releases/{id}`. */
  path: string;
  /** The path with values, relative to /api. */
  url: string;
  method?: string;
  as?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
}

/** Calls the real API and checks the answer against the document the stack serves. */
async function call<T = Record<string, unknown>>({
  path,
  url,
  method = 'GET',
  as = 'local-ml-engineer',
  body,
  status,
  ...more
}: Call): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...more.headers };
  if (as) headers.authorization = `Bearer ${stack.token(as)}`;
  const response = await fetch(`${stack.api}${url}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  expect({ call: `${method} ${url}`, status: response.status }).toEqual({ call: `${method} ${url}`, status });
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const parsed = mediaType === 'application/json' ? (JSON.parse(text) as unknown) : text;
  expect({ call: `${method} ${url}`, errors: validator.errors(method, path, status, parsed, mediaType) }).toEqual({
    call: `${method} ${url}`,
    errors: [],
  });
  checked.push(`${method} ${path} ${status}`);
  return parsed as T;
}

describe('real answers of the embedded stack', () => {
  it('match the document for a release from upload to prod and the catalog around it', async () => {
    const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
    await container.createIfNotExists();
    const csv = generateCsv({ rows: 600, seed: 5 });
    await container.getBlockBlobClient('default/contract.csv').upload(csv, Buffer.byteLength(csv));
    const id = await waitFor(
      'the release of the upload to end',
      async () => {
        const { releases } = await call<{ releases: { id: string; status: string }[] }>({
          path: '/api/releases',
          url: '/releases?limit=5',
          status: 200,
        });
        const release = releases[0];
        return release && !['queued', 'running'].includes(release.status) ? release.id : undefined;
      },
      { timeoutMs: 360_000 },
    );

    await call({ path: '/api/health', url: '/health', as: null, status: 200 });
    await call({ path: '/api/releases/{id}', url: `/releases/${id}`, as: 'local-reader', status: 200 });
    await call({ path: '/api/releases/{id}/report', url: `/releases/${id}/report`, status: 200 });
    await call({ path: '/api/releases/{id}/report', url: `/releases/${id}/report?format=md`, status: 200 });
    await call({ path: '/api/releases/{id}/log', url: `/releases/${id}/log?maxBytes=2000`, status: 200 });
    const { endpoints } = await call<{ endpoints: { name: string; traffic: Record<string, number> }[] }>({
      path: '/api/endpoints',
      url: '/endpoints',
      status: 200,
    });
    expect(endpoints.length).toBeGreaterThan(0);
    const prod = endpoints.find((e) => e.name === 'default-prod')!;
    await call({
      path: '/api/endpoints/{endpoint}/deployments/{deployment}/logs',
      url: `/endpoints/${prod.name}/deployments/${Object.keys(prod.traffic)[0]}/logs?tail=20`,
      status: 200,
    });
    const { models } = await call<{ models: unknown[] }>({ path: '/api/models', url: '/models', status: 200 });
    expect(models.length).toBeGreaterThan(0);
    const { events } = await call<{ events: unknown[] }>({ path: '/api/events', url: '/events?limit=100', status: 200 });
    expect(events.length).toBeGreaterThan(0);
    await call({ path: '/api/monitors/{pipeline}/run', url: '/monitors/default/run', method: 'POST', status: 200 });
    await call({ path: '/api/monitors/{pipeline}', url: '/monitors/default', status: 200 });
    await call({ path: '/api/openapi.json', url: '/openapi.json', as: null, status: 200 });
    // A manual release, its retry (same Idempotency-Key: the same release, 200) and its cancellation.
    const start = {
      path: '/api/releases',
      url: '/releases',
      method: 'POST',
      body: { pipeline: 'default', blob: 'default/contract.csv' },
      headers: { 'idempotency-key': `contract-${id}` },
    };
    const { release } = await call<{ release: { id: string } }>({ ...start, status: 202 });
    expect((await call<{ release: { id: string } }>({ ...start, status: 200 })).release.id).toBe(release.id);
    await call({
      path: '/api/releases/{id}/cancel',
      url: `/releases/${release.id}/cancel`,
      method: 'POST',
      body: { reason: 'contract test' },
      status: 200,
    });
  });

  it('match the document for the alert webhook and the alert list', async () => {
    const code = (JSON.parse(readFileSync(join(stack.stateDir, 'host-keys.json'), 'utf8')) as { functionKeys: { default: string } })
      .functionKeys.default;
    const alert = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/alerts/metric-fired.json'), 'utf8')) as unknown;
    await call({ path: '/api/alerts', url: `/alerts?code=${code}`, method: 'POST', as: null, body: alert, status: 200 });
    const { alerts } = await call<{ alerts: unknown[] }>({ path: '/api/alerts', url: '/alerts', status: 200 });
    expect(alerts.length).toBe(1);
    const refused = await fetch(`${stack.api}/alerts?code=wrong`, { method: 'POST', body: '{}' });
    expect(refused.status).toBe(401);
    expect(validator.errors('POST', '/api/alerts', 401, undefined)).toEqual([
      'the document declares no application/json body for 401 of POST /api/alerts',
    ]);
  });

  it('match the document for errors: 400, 401, 403 and 404 in the one error shape', async () => {
    const bad = await call<{ error: { where?: string } }>({ path: '/api/releases', url: '/releases?limit=many', status: 400 });
    expect(bad.error.where).toBe('query.limit');
    const badBody = await call<{ error: { where?: string } }>({
      path: '/api/releases',
      url: '/releases',
      method: 'POST',
      body: { pipeline: 'default', colour: 'red' },
      status: 400,
    });
    expect(badBody.error.where).toBe('body');
    await call({ path: '/api/releases', url: '/releases', as: null, status: 401 });
    await call({ path: '/api/releases/{id}/approve', url: '/releases/whatever/approve', method: 'POST', as: 'local-reader', status: 403 });
    await call({ path: '/api/releases/{id}', url: '/releases/default-20200101-000000-000000', status: 404 });
    await call({ path: '/api/monitors/{pipeline}', url: '/monitors/no-such-pipeline', status: 404 });
  });

  afterAll(() => {
    // What this suite covered, for a reader of the log.
    console.log(`validated ${checked.length} answers of ${new Set(checked).size} kinds:\n${[...new Set(checked)].sort().join('\n')}`);
  });
});
