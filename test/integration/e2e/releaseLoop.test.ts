import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateCsv } from '../../../examples/tabular/generate';
import type { ReleaseReport } from '../../../shared/release/report';
import { runCli } from '../cli/runCli';
import type { Release } from '../../../shared/release/types';
import { startTestStack, waitFor, type TestStack } from './localStack';

// Twice the settle deadline below (a test may wait for two releases); deadlines only bound how long a failure takes.
jest.setTimeout(600_000);

let stack: TestStack;
let container: ContainerClient;

beforeAll(async () => {
  stack = await startTestStack();
  container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
  await container.createIfNotExists();
});

afterAll(async () => {
  await stack?.stop();
});

async function api<T>(path: string, init: RequestInit & { as?: string } = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${stack.api}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${stack.token(init.as)}`,
      'content-type': 'application/json',
      ...(init.headers as Record<string, string>),
    },
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function releasesFor(blob: string): Promise<Release[]> {
  const { body } = await api<{ releases: Release[] }>('/releases');
  return body.releases.filter((r) => r.data?.blob === blob);
}

async function upload(blob: string, content: string | Buffer): Promise<string> {
  const result = await container.getBlockBlobClient(blob).upload(content, Buffer.byteLength(content));
  return result.etag!;
}

/** Uploads through the blob port (the path users take) and waits for the release to end. */
async function uploadAndSettle(blob: string, content: string | Buffer): Promise<Release> {
  await upload(blob, content);
  return waitFor(
    `release of ${blob}`,
    async () => {
      const [release] = await releasesFor(blob);
      return release && ['succeeded', 'rejected', 'failed', 'cancelled'].includes(release.status) ? release : undefined;
    },
    { timeoutMs: 300_000 },
  );
}

async function prodTraffic(): Promise<Record<string, number> | undefined> {
  const { body } = await api<{ endpoints: { name: string; traffic: Record<string, number> }[] }>('/endpoints');
  return body.endpoints.find((e) => e.name === 'default-prod')?.traffic;
}

describe('the whole loop on the embedded stack', () => {
  it('turns an uploaded CSV into a model that answers on the prod endpoint', async () => {
    const release = await uploadAndSettle('default/day1.csv', generateCsv({ rows: 1500, seed: 11 }));
    expect(release.status).toBe('succeeded');
    expect(release.model).toEqual({ name: 'default', version: 1 });
    expect(release.metrics.candidate?.auc).toBeGreaterThan(0.7);
    expect(await prodTraffic()).toEqual({ v001: 100 });

    const score = await fetch(`${stack.endpoints}/default-prod/score`, {
      method: 'POST',
      body: JSON.stringify({
        input_data: {
          columns: ['tenure_months', 'monthly_charges', 'total_charges', 'support_calls', 'age', 'contract', 'payment_method', 'region'],
          data: [
            [3, 95.5, 286.5, 5, 29, 'month-to-month', 'electronic-check', 'north'],
            [60, 20.1, 1206, 0, 61, 'two-year', 'credit-card', 'west'],
          ],
        },
      }),
    });
    expect(score.status).toBe(200);
    expect(score.headers.get('azureml-model-deployment')).toBe('v001');
    const body = (await score.json()) as { predictions: unknown[]; probabilities: number[][] };
    expect(body.predictions).toHaveLength(2);
    // The month-to-month customer with many support calls is the likelier churner.
    expect(body.probabilities[0]![1]!).toBeGreaterThan(body.probabilities[1]![1]!);
  });

  it('deploys version 2 to prod only if it passes the evaluation gate', async () => {
    const release = await uploadAndSettle('default/day2.csv', generateCsv({ rows: 3000, seed: 12 }));
    expect(release.model).toEqual({ name: 'default', version: 2 });
    expect(release.champion).toEqual({ name: 'default', version: 1 });
    if (release.gate!.passed) {
      expect(release.status).toBe('succeeded');
      expect(await prodTraffic()).toEqual({ v002: 100, v001: 0 });
    } else {
      expect(release.status).toBe('rejected');
      // Same distribution as version 1: the paired test (DeLong) keeps the champion unless it is surely better.
      expect(release.reason).toMatch(/^evaluation gate: auc .* vs champion .*: (inconclusive|worse by|improvement .* falls short)/);
      expect(release.gate).toMatchObject({
        outcome: expect.stringMatching(/^(inconclusive|reject)$/),
        comparison: { test: 'DeLong', rows: expect.any(Number) },
      });
      expect(await prodTraffic()).toEqual({ v001: 100 });
    }
  });

  it('makes one release, one job and one model version from a BlobCreated event delivered three times', async () => {
    const blob = 'default/day3.csv';
    const content = generateCsv({ rows: 800, seed: 13 });
    const eTag = await upload(blob, content);
    const event = {
      id: 'evt-duplicate-test',
      topic:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Storage/storageAccounts/devstoreaccount1',
      subject: `/blobServices/default/containers/training-data/blobs/${blob}`,
      eventType: 'Microsoft.Storage.BlobCreated',
      eventTime: new Date().toISOString(),
      data: {
        api: 'PutBlob',
        eTag,
        contentType: 'text/csv',
        contentLength: Buffer.byteLength(content),
        blobType: 'BlockBlob',
        url: container.getBlockBlobClient(blob).url,
      },
      dataVersion: '',
      metadataVersion: '1',
    };
    const deliveries = await Promise.all(
      [1, 2, 3].map(() =>
        fetch(`${stack.functions}/runtime/webhooks/eventgrid?functionName=blobCreated&code=${stack.eventGridKey()}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
          body: JSON.stringify([event]),
        }),
      ),
    );
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    const release = await waitFor(
      'the duplicate-tested release to end',
      async () => {
        const found = await releasesFor(blob);
        return found.length === 1 && found[0]!.status !== 'running' && found[0]!.status !== 'queued' ? found[0] : undefined;
      },
      { timeoutMs: 300_000 },
    );
    expect(await releasesFor(blob)).toHaveLength(1);
    const jobs = readdirSync(join(stack.stateDir, 'workspaces/dev/jobs')).filter((j) => j.startsWith(release.id));
    expect(jobs).toEqual([`${release.id}-train`]);
    const { body } = await api<{ models: { environment: string; tags: Record<string, string> }[] }>('/models');
    expect(body.models.filter((m) => m.environment === 'dev' && m.tags['autopilot.release'] === release.id)).toHaveLength(1);
  });

  it.each([
    ['an empty file', 'default/empty.csv', '', /the file is empty/],
    ['a malformed CSV', 'default/ragged.csv', 'a,b,label\n1,2,yes\n3,no\n', /malformed CSV: .*line 3/],
    ['a CSV without the label column', 'default/nolabel.csv', 'a,b\n1,2\n3,4\n', /no label column 'label' \(columns: a, b\)/],
    [
      'a non-CSV blob',
      'default/model.parquet',
      Buffer.from([0x50, 0x41, 0x52, 0x31, 0, 1, 2]),
      /only CSV files are supported \(got \.parquet\)/,
    ],
  ])('rejects %s with a clear reason and keeps serving', async (_what, blob, content, reason) => {
    const release = await uploadAndSettle(blob, content);
    expect(release.status).toBe('rejected');
    expect(release.reason).toMatch(reason);
    expect((await fetch(`${stack.api}/health`)).status).toBe(200);
    // The decision record: the data gate's verdict is the validate stage's outcome, not its failure.
    const { status, body } = await api<{ report: ReleaseReport }>(`/releases/${release.id}/report`, { as: 'local-reader' });
    expect(status).toBe(200);
    expect(body.report.release).toMatchObject({ id: release.id, status: 'rejected' });
    expect(body.report.stages.find((s) => s.stage === 'validate')).toMatchObject({
      status: 'succeeded',
      detail: expect.stringMatching(/^rejected: /),
    });
    expect(body.report.actions.length).toBeGreaterThan(0);
  });

  it('prints the decision record of a release as Markdown, through the API and the CLI', async () => {
    const [release] = await releasesFor('default/day1.csv');
    const md = await fetch(`${stack.api}/releases/${release!.id}/report?format=md`, {
      headers: { authorization: `Bearer ${stack.token('local-reader')}` },
    });
    expect(md.headers.get('content-type')).toMatch(/^text\/markdown/);
    const text = await md.text();
    expect(text).toMatch(new RegExp(`^# Release ${release!.id} \\(default\\): succeeded`));
    expect(text).toMatch(/## Evaluation gate\n\n- Passed: /);
    expect(text).toMatch(/\| promote \| succeeded \|/);
    // The lineage as the dev registry holds it, looked up by the handler.
    expect(text).toMatch(new RegExp(`## Model lineage\n\n- default v\\d+, registered [^,]+, sha256 [0-9a-f]{64}`));
    expect(text).toContain(`- Training job ${release!.id}-train`);
    expect(text).toContain(`| autopilot.release | ${release!.id} |`);
    const cli = await runCli(['report', release!.id], { AUTOPILOT_URL: stack.api, AUTOPILOT_TOKEN: stack.token('local-reader') });
    expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 0, stderr: '' });
    expect(cli.stdout).toBe(text);
    const json = await runCli(['report', release!.id, '--format', 'json'], {
      AUTOPILOT_URL: stack.api,
      AUTOPILOT_TOKEN: stack.token('local-reader'),
    });
    expect(JSON.parse(json.stdout).report.release.id).toBe(release!.id);
    expect((await runCli(['report', release!.id, '--format', 'pdf'], {})).stderr).toMatch(/expected md or json/);
  });

  it('fails the release with the exit code and log of a training command that crashes', async () => {
    const release = await uploadAndSettle('crashy/data.csv', generateCsv({ rows: 200, seed: 14 }));
    expect(release.status).toBe('failed');
    expect(release.reason).toMatch(/training job crashy-.*-train failed: .*exit code 3/);
    expect(release.reason).toMatch(/cannot read properties of undefined/);
    const log = await fetch(`${stack.api}/releases/${release.id}/log`, {
      headers: { authorization: `Bearer ${stack.token('local-reader')}` },
    });
    expect(log.status).toBe(200);
    expect(await log.text()).toMatch(/reading .*train\.csv/);
  });

  it('starts a release by hand for a data scientist and refuses a reader', async () => {
    const refused = await api<{ error: { code: string; message: string } }>('/releases', {
      method: 'POST',
      body: JSON.stringify({ pipeline: 'default' }),
      as: 'local-reader',
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/local-reader may not release:start in dev/);
    const anonymous = await fetch(`${stack.api}/releases`);
    expect(anonymous.status).toBe(401);
    const started = await api<{ release: Release }>('/releases', {
      method: 'POST',
      body: JSON.stringify({ pipeline: 'default', blob: 'default/day1.csv' }),
      as: 'local-data-scientist',
    });
    expect(started.status).toBe(202);
    expect(started.body.release.trigger).toMatchObject({ kind: 'manual', by: 'local-data-scientist' });
    const detail = await api<{ release: Release; audit: { action: string }[] }>(`/releases/${started.body.release.id}`);
    expect(detail.body.audit[0]!.action).toBe('create');
    // Prod is the ML engineers': a data scientist can neither approve nor roll back.
    const approve = await api<{ error: { message: string } }>(`/releases/${started.body.release.id}/approve`, {
      method: 'POST',
      as: 'local-data-scientist',
    });
    expect(approve.status).toBe(403);
    expect(approve.body.error.message).toMatch(/local-data-scientist may not release:approve in prod/);
    const rollback = await api<{ error: { message: string } }>('/pipelines/default/rollback', {
      method: 'POST',
      body: '{}',
      as: 'local-data-scientist',
    });
    expect(rollback.status).toBe(403);
  });
});
