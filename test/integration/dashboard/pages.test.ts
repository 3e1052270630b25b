import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { generateCsv } from '../../../examples/tabular/generate';
import type { MonitorRun } from '../../../shared/monitoring/runMonitor';
import type { EndpointInfo } from '../../../shared/ports';
import type { Release } from '../../../shared/release/types';
import { waitFor, type TestStack } from '../e2e/localStack';
import * as browser from './browser';

jest.setTimeout(900_000);

/** The page's DOM, in functions that run in the browser (the tests compile without the DOM lib). */
declare const document: {
  querySelector(selector: string): (Record<string, unknown> & { getAttribute(name: string): string | null }) | null;
  querySelectorAll(selector: string): { length: number };
};

/** Generous: a loaded 2-core machine trains and deploys twice in this test. */
const RELEASE_TIMEOUT = 300_000;

let harness: browser.DashboardHarness;
let stack: TestStack;
let page: Page;
let container: ContainerClient;

beforeAll(async () => {
  harness = await browser.startDashboardHarness(join(browser.ROOT, 'test/fixtures/dashboard/pages.yaml'));
  ({ stack, page } = harness);
  container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
  await container.createIfNotExists();
});

afterAll(async () => {
  await harness?.stop();
});

async function upload(blob: string, csv: string): Promise<Release> {
  await container.getBlockBlobClient(blob).upload(csv, Buffer.byteLength(csv));
  return waitFor(`the release of ${blob}`, () => browser.releaseOf(stack, blob), { timeoutMs: 120_000 });
}

/** Prod traffic from the generator, shifted, as a client sends it (MLflow input_data), so the monitor sees drift. */
async function scoreShifted(rows: number): Promise<void> {
  const [header, ...lines] = generateCsv({ rows, seed: 42, shift: 2 }).trimEnd().split('\n');
  const columns = header!.split(',');
  const label = columns.indexOf('label');
  const data = lines.map((l) =>
    l
      .split(',')
      .filter((_, i) => i !== label)
      .map((v) => (v === '' ? null : Number.isFinite(Number(v)) ? Number(v) : v)),
  );
  for (let i = 0; i < data.length; i += 100) {
    const response = await fetch(`${stack.endpoints}/default-prod/score`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input_data: { columns: columns.filter((_, c) => c !== label), data: data.slice(i, i + 100) } }),
    });
    expect(response.status).toBe(200);
  }
}

/** POST /monitors/default/run as the ML engineer until a run compares the (buffered, then flushed) traffic and finds drift. */
async function driftedRun(): Promise<MonitorRun> {
  return waitFor(
    'a monitor run that finds drift',
    async () => {
      const response = await fetch(`${stack.api}/monitors/default/run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.token('local-ml-engineer')}` },
      });
      expect(response.status).toBe(200);
      const { run } = (await response.json()) as { run: MonitorRun };
      return run.outcome === 'drift' ? run : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 3000 },
  );
}

async function open(path: string, ready: string): Promise<void> {
  await page.goto(`${stack.api}/dashboard/#${path}`);
  await page.waitForSelector(ready, { timeout: 30_000 });
}

describe('the dashboard pages in headless Chromium', () => {
  let first: Release;
  let run: MonitorRun;

  it('shows endpoints, models with lineage, monitor runs with drift charts, and the audit log, from live data', async () => {
    first = await upload('default/v1.csv', generateCsv({ rows: 1200, seed: 21 }));
    first = await waitFor(
      'the first release in prod',
      async () => {
        const release = await browser.releaseOf(stack, 'default/v1.csv');
        return release?.status === 'succeeded' ? release : undefined;
      },
      { timeoutMs: RELEASE_TIMEOUT },
    );
    await scoreShifted(1200);
    run = await driftedRun();
    await browser.signIn(harness, 'ml_engineer');

    await open('/endpoints', '[data-environment="prod"] [data-endpoint="default-prod"] [data-deployment]');
    expect(await page.textContent('[data-endpoint="default-prod"] [data-testid="traffic"]')).toMatch(/v001 100 %/);
    await browser.screenshot(page, 'endpoints');

    const model = first.model!;
    await open('/models', `[data-environment="prod"] [data-model="${model.name}:${model.version}"]`);
    expect(await page.textContent(`[data-environment="dev"] [data-model="${model.name}:${model.version}"]`)).toMatch(/auc/);
    await browser.screenshot(page, 'models');
    await page.click(`[data-environment="dev"] [data-model="${model.name}:${model.version}"] a[href^="#/models"]`);
    await page.waitForSelector(`[data-testid="produced-by"] a[href="#/releases/${first.id}"]`, { timeout: 30_000 });
    expect(await page.textContent('[data-testid="data-url"]')).toMatch(/training-data\/default\/v1\.csv$/);
    expect(await page.textContent('[data-testid="data-etag"]')).not.toBe('—');
    expect(await page.textContent('[data-testid="job"]')).toBe(first.job!.name);
    expect(await page.textContent('[data-testid="code-hash"]')).toMatch(/^[0-9a-f]{64}$/);
    await browser.screenshot(page, 'model');

    await open('/monitors', `tr[data-run="${run.id}"]`);
    expect(await page.textContent(`tr[data-run="${run.id}"]`)).toMatch(/drift/);
    const runsBefore = await page.locator('[data-testid="monitor-runs"] tr[data-run]').count();
    await page.click('button[data-action="run-monitor"]');
    await page.waitForFunction(
      (n: number) => document.querySelectorAll('[data-testid="monitor-runs"] tr[data-run]').length > n,
      runsBefore,
      { timeout: 60_000 },
    );
    await browser.screenshot(page, 'monitors');
    await page.click(`tr[data-run="${run.id}"] a`);
    await page.waitForSelector(`article.monitor-run[data-run="${run.id}"]`, { timeout: 30_000 });
    // One chart per feature (and the predictions), a baseline and a window bar per bin.
    const drifts = [...run.report!.features, ...(run.report!.prediction ? [run.report!.prediction] : [])];
    expect(await page.locator('[data-testid="histogram"]').count()).toBe(drifts.length);
    for (const f of drifts) {
      expect([
        f.feature,
        await page.locator(`[data-testid="feature"][data-feature="${f.feature}"] [data-testid="histogram"] svg rect`).count(),
      ]).toEqual([f.feature, 2 * f.histogram.baseline.length]);
    }
    const breached = run.report!.features.find((f) => f.breached.length > 0)!;
    expect(
      await page.locator(`[data-feature="${breached.feature}"] tr[data-metric="${breached.breached[0]}"][data-breached="true"]`).count(),
    ).toBe(1);
    await browser.screenshot(page, 'monitor-run');

    await open('/audit', `[data-testid="audit-log"] a[href="#/releases/${first.id}"]`);
    expect(await page.getAttribute('a.download', 'href')).toBe('/api/audit?since=7d');
    await page.fill('input[name="since"]', '1h');
    await page.click('form.filters button[type="submit"]');
    await page.waitForSelector(`a.download[href="/api/audit?since=1h"]`, { timeout: 30_000 });
    await page.waitForSelector(`[data-testid="audit-log"] a[href="#/releases/${first.id}"]`, { timeout: 30_000 });
    // The download link is the same query, and the session cookie is enough to fetch it.
    const download = await page.evaluate(async () => {
      const response = await fetch('/api/audit?since=1h');
      return {
        status: response.status,
        releases: ((await response.json()) as { entries: { releaseId?: string }[] }).entries.map((e) => e.releaseId),
      };
    });
    expect(download.status).toBe(200);
    expect(download.releases).toContain(first.id);
    await browser.screenshot(page, 'audit');
  });

  it('hides "Run monitor now" from a reader, whom the API refuses too', async () => {
    await browser.signIn(harness, 'reader');
    await open('/monitors', `tr[data-run="${run.id}"]`);
    expect(await page.locator('button[data-action="run-monitor"]').count()).toBe(0);
    const forged = await page.evaluate(
      async () => (await fetch('/api/monitors/default/run', { method: 'POST', headers: { 'x-autopilot-csrf': '1' } })).status,
    );
    expect(forged).toBe(403);
  });

  it('charts a live canary, updating the same chart as looks arrive, and lists the alert that rolls it back', async () => {
    const second = await upload('default/v2.csv', generateCsv({ rows: 1200, seed: 22 }));
    await browser.signIn(harness, 'ml_engineer');
    await open(`/releases/${second.id}`, 'article.release');
    // Live: the canary has looked at least twice and the page draws while the release still runs.
    const looks = async (atLeast: number) =>
      Number(
        await (
          await page.waitForFunction(
            (n: number) => {
              const panel = document.querySelector('[data-testid="canary-panel"][data-live="true"]');
              const looksNow = Number(panel?.getAttribute('data-looks') ?? 0);
              return looksNow >= n && document.querySelector('[data-testid="canary-chart"] canvas') ? looksNow : undefined;
            },
            atLeast,
            { timeout: RELEASE_TIMEOUT, polling: 250 },
          )
        ).jsonValue(),
      );
    const seen = await looks(2);
    await page.evaluate(
      () => ((document.querySelector('[data-testid="canary-chart"] canvas') as Record<string, unknown>)['marked'] = true),
    );
    await looks(seen + 1);
    // The same canvas got the new look (setData), it was not torn down and rebuilt.
    expect(await page.evaluate(() => document.querySelector('[data-testid="canary-chart"] canvas')?.['marked'] === true)).toBe(true);
    const statistics = await page.locator('[data-testid="canary-legend"] td.statistic').allTextContents();
    expect(statistics.length).toBeGreaterThan(0);
    for (const value of statistics) expect(value).toMatch(/^-?\d+\.\d{3}$/);
    expect(await page.textContent('[data-testid="canary-arms"]')).toMatch(/canary\s*\d+/);
    await browser.screenshot(page, 'release-canary');

    // An Azure Monitor alert on the prod endpoint during the canary: rolled back, and the alerts page says so.
    const prod = (await browser.apiGet<{ endpoints: EndpointInfo[] }>(stack, '/endpoints')).endpoints.find(
      (e) => e.name === 'default-prod',
    )!;
    const alert = JSON.parse(readFileSync(join(browser.ROOT, 'test/fixtures/alerts/metric-fired.json'), 'utf8')) as {
      data: { essentials: { alertTargetIDs: string[]; configurationItems: string[]; alertId: string } };
    };
    alert.data.essentials.alertTargetIDs = [prod.id];
    alert.data.essentials.configurationItems = [];
    alert.data.essentials.alertId = `/subscriptions/x/providers/Microsoft.AlertsManagement/alerts/${second.id}`;
    const key = (JSON.parse(readFileSync(join(stack.stateDir, 'host-keys.json'), 'utf8')) as { functionKeys: { default: string } })
      .functionKeys.default;
    const posted = await fetch(`${stack.api}/alerts?code=${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alert),
    });
    expect(((await posted.json()) as { outcome: string }).outcome).toBe('rolled_back');
    await page.waitForSelector(
      'article.release[data-status="rolled_back"] [data-testid="canary-panel"][data-live="false"] [data-testid="canary-chart"] canvas',
      { timeout: 60_000 },
    );
    await open('/alerts', `tr[data-outcome="rolled_back"] a[href="#/releases/${second.id}"]`);
    expect(await page.textContent('[data-testid="alerts"]')).toMatch(/default-prod-p99-latency/);
    await browser.screenshot(page, 'alerts');
  });
});
