import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLOB_CREATED_DOCS_SAMPLE } from '../../fakes/eventGrid/blobCreatedSample';
import { BlobServiceClient } from '@azure/storage-blob';
import { generateCsv } from '../../../examples/tabular/generate';
import { startTestStack, waitFor, type TestStack } from '../e2e/localStack';
import { mutated } from '../../unit/fuzz/mutateJson';

/**
 * The running stack fed hostile requests on every route: each answer is a clear 4xx
 * (JSON `error.message`) or a success, never a 500 and never a host that stops answering.
 * Sequential and seeded, so a failure replays exactly.
 */
jest.setTimeout(300_000);

let stack: TestStack;
/** A release that exists, so routes get past the lookup to their own parsing. */
let releaseId = 'none';
beforeAll(async () => {
  stack = await startTestStack();
  const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
  await container.createIfNotExists();
  const csv = generateCsv({ rows: 300, seed: 5 });
  await container.getBlockBlobClient('default/fuzz-seed.csv').upload(csv, Buffer.byteLength(csv));
  releaseId = await waitFor('a release of the seed upload', async () => {
    const response = await fetch(`${stack.api}/releases`, { headers: { authorization: `Bearer ${stack.token()}` } });
    const { releases } = (await response.json()) as { releases: { id: string; job?: unknown }[] };
    return releases.find((r) => r.job)?.id;
  });
});
afterAll(async () => {
  await stack?.stop();
});

const ROLES = ['local-ml-engineer', 'local-data-scientist', 'local-reader'] as const;
const hostileSegment = fc.oneof(
  { arbitrary: fc.constant('<release>'), weight: 3 },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
  {
    arbitrary: fc.constantFrom(
      'default',
      'default-dev',
      'default-prod',
      'default:1',
      'nope',
      '..',
      '%2e%2e',
      '%00',
      'a%2Fb',
      "'; drop",
      '%FF',
      'x'.repeat(300),
    ),
    weight: 2,
  },
);
const queryValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('-1', '1.5', '0', '1e309', 'NaN', '', '99999999999', 'succeeded', 'default'),
);
const queryFor = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys, 'x'), queryValue, { maxKeys: 3 });
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 50 }),
  mutated({ pipeline: 'default', note: 'fuzz', blob: 'default/x.csv', why: 'fuzz', reason: 'fuzz' }).map((v) => JSON.stringify(v)),
);

/** Each route with the query parameters it reads, so every parser is reached often. */
type Route = { method: 'GET' | 'POST'; path: (seg: string) => string; query?: string[] };
const ROUTES: Route[] = [
  { method: 'GET', path: () => '/health' },
  { method: 'GET', path: () => '/releases', query: ['limit', 'pipeline', 'status'] },
  { method: 'POST', path: () => '/releases' },
  { method: 'GET', path: (s) => `/releases/${s}` },
  { method: 'GET', path: (s) => `/releases/${s}/log`, query: ['maxBytes'] },
  { method: 'POST', path: (s) => `/releases/${s}/approve` },
  { method: 'POST', path: (s) => `/releases/${s}/promote` },
  { method: 'POST', path: (s) => `/releases/${s}/rollback` },
  { method: 'POST', path: (s) => `/releases/${s}/cancel` },
  { method: 'POST', path: (s) => `/pipelines/${s}/rollback` },
  { method: 'GET', path: () => '/endpoints' },
  { method: 'GET', path: (s) => `/endpoints/${s}/deployments/${s}/logs`, query: ['maxBytes', 'tail', 'lines'] },
  { method: 'GET', path: () => '/models', query: ['pipeline', 'limit'] },
  { method: 'GET', path: () => '/events', query: ['since', 'type', 'limit'] },
  { method: 'GET', path: () => '/alerts', query: ['limit'] },
  { method: 'GET', path: (s) => `/monitors/${s}`, query: ['limit'] },
  { method: 'POST', path: (s) => `/monitors/${s}/run` },
];

async function expectClearAnswer(response: Response, what: string): Promise<void> {
  const text = await response.text();
  if (response.status >= 500) throw new Error(`${what} -> ${response.status}: ${text.slice(0, 500)}`);
  if (response.status >= 400 && response.status !== 404) {
    const parsed = JSON.parse(text) as { error?: { message?: string } };
    expect(parsed.error?.message?.length ?? 0).toBeGreaterThan(5);
  }
}

describe('the HTTP API under fuzzing', () => {
  it.each(ROUTES.map((r) => [`${r.method} ${r.path('{id}')}`, r] as const))(
    'answers %s for every role with a success or a clear 4xx, never a 500',
    async (_name, route) => {
      await fc.assert(
        fc.asyncProperty(hostileSegment, queryFor(route.query ?? []), body, fc.constantFrom(...ROLES), async (seg, q, b, role) => {
          const url = new URL(`${stack.api}${route.path(seg === '<release>' ? releaseId : encodeURIComponent(seg))}`);
          for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
          const response = await fetch(url, {
            method: route.method,
            headers: { authorization: `Bearer ${stack.token(role)}`, 'content-type': 'application/json' },
            ...(route.method === 'POST' && b !== undefined ? { body: b } : {}),
          });
          await expectClearAnswer(response, `${route.method} ${url.pathname}${url.search} as ${role} with ${String(b).slice(0, 200)}`);
        }),
        { numRuns: 80, seed: 20261203 },
      );
    },
  );

  it('refuses forged, truncated and missing tokens with 401 on every route', async () => {
    const real = stack.token('local-ml-engineer');
    const forged = fc.oneof(
      fc.constant(''),
      fc.string({ maxLength: 80 }),
      fc.constantFrom(real.slice(0, -1), real + 'x', real.toUpperCase(), `${real} ${real}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES.filter((r) => r.path('x') !== '/health')), forged, async (route, token) => {
        fc.pre(token !== real);
        const response = await fetch(`${stack.api}${route.path('default')}`, {
          method: route.method,
          headers: { authorization: `Bearer ${token}` },
        });
        expect(response.status).toBe(401);
      }),
      { numRuns: 100, seed: 20261203 },
    );
  });

  it('acknowledges or refuses with a 4xx any Event Grid delivery and any alert body', async () => {
    const alertKey = (JSON.parse(readFileSync(join(stack.stateDir, 'host-keys.json'), 'utf8')) as { functionKeys: { default: string } })
      .functionKeys.default;
    // Subject and data.url name the same blob, as Azure sends them, so mutations reach the checks past that one.
    const blobEvent = {
      ...BLOB_CREATED_DOCS_SAMPLE,
      subject: '/blobServices/default/containers/training-data/blobs/default/fuzz.csv',
      data: { ...BLOB_CREATED_DOCS_SAMPLE.data, url: 'https://example.blob.core.windows.net/training-data/default/fuzz.csv' },
    };
    const alert = JSON.parse(readFileSync(join(__dirname, '../../fixtures/alerts/metric-fired.json'), 'utf8')) as unknown;
    const target = fc.oneof(
      fc.record({ kind: fc.constant('blobCreated' as const), payload: fc.oneof(mutated([blobEvent]), fc.jsonValue()) }),
      fc.record({ kind: fc.constant('amlEvents' as const), payload: fc.oneof(mutated([blobEvent]), fc.jsonValue()) }),
      fc.record({ kind: fc.constant('alert' as const), payload: fc.oneof(mutated(alert), fc.jsonValue()) }),
    );
    await fc.assert(
      fc.asyncProperty(target, async ({ kind, payload }) => {
        const url =
          kind === 'alert'
            ? `${stack.api}/alerts?code=${alertKey}`
            : `${stack.functions}/runtime/webhooks/eventgrid?functionName=${kind}&code=${stack.eventGridKey()}`;
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
          body: JSON.stringify(payload) ?? 'null',
        });
        const text = await response.text();
        if (response.status >= 500)
          throw new Error(`${kind} -> ${response.status}: ${text.slice(0, 300)} for ${JSON.stringify(payload).slice(0, 300)}`);
      }),
      { numRuns: 150, seed: 20261203 },
    );
    // Still serving after all of it.
    expect((await fetch(`${stack.api}/health`)).status).toBe(200);
  });
});
