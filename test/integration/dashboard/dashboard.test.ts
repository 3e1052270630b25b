import { BlobServiceClient } from '@azure/storage-blob';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { generateCsv } from '../../../examples/tabular/generate';
import { STAGES } from '../../../shared/release/stageOrder';
import { waitFor, type TestStack } from '../e2e/localStack';
import * as browser from './browser';

jest.setTimeout(600_000);

/** The page's DOM, in functions that run in the browser (the tests compile without the DOM lib). */
declare const document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };

/** Generous: a loaded 2-core machine trains, deploys and shadows in this test. */
const STAGE_TIMEOUT = 300_000;

let harness: browser.DashboardHarness;
let stack: TestStack;
let page: Page;

beforeAll(async () => {
  harness = await browser.startDashboardHarness(join(browser.ROOT, 'test/fixtures/dashboard/autopilot.yaml'));
  ({ stack, page } = harness);
});

afterAll(async () => {
  await harness?.stop();
});

const screenshot = (name: string) => browser.screenshot(page, name);
const signIn = (role: 'ml_engineer' | 'data_scientist') => browser.signIn(harness, role);
const releaseOf = (blob: string) => browser.releaseOf(stack, blob);

describe('the dashboard in headless Chromium', () => {
  it('serves its files with a strict CSP and finds nothing outside its manifest', async () => {
    const index = await fetch(`${stack.api}/dashboard/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    const script = /src="(assets\/main-[^"]+\.js)"/.exec(await index.text())![1]!;
    const asset = await fetch(`${stack.api}/dashboard/${script}`);
    expect([asset.status, asset.headers.get('content-type'), asset.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    for (const attempt of ['..%2f..%2fpackage.json', 'assets/..%2f..%2f..%2fpackage.json', '%2e%2e/%2e%2e/host.json', 'index.html%00.js', '%2fetc%2fpasswd', 'manifest.json']) {
      expect([attempt, (await fetch(`${stack.api}/dashboard/${attempt}`)).status]).toEqual([attempt, 404]);
    }
    const root = await fetch(`${stack.functions}/`, { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/api/dashboard/']);
  });

  it('tells a visitor without a session to run autopilot open, and refuses a spent link', async () => {
    await page.goto(`${stack.functions}/`);
    await page.waitForSelector('[data-testid="signin"] >> text=autopilot open', { timeout: 30_000 });
    await screenshot('sign-in');
    const link = await signIn('ml_engineer');
    const again = await page.goto(link);
    expect(again!.status()).toBe(410);
    expect(await page.textContent('#why')).toMatch(/already been used/);
  });

  it('follows a release from upload to approval, hides the approver buttons from a data scientist, and takes it to prod on Approve', async () => {
    await signIn('ml_engineer');
    await screenshot('pipelines-idle');
    const blob = 'default/dashboard.csv';
    const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
    await container.createIfNotExists();
    const csv = generateCsv({ rows: 1200, seed: 21 });
    await container.getBlockBlobClient(blob).upload(csv, Buffer.byteLength(csv));
    const { id } = await waitFor('the release of the upload', () => releaseOf(blob), { timeoutMs: 120_000 });
    await page.goto(`${stack.api}/dashboard/#/releases/${id}`);

    // Watch the page, not the API: each stage it shows, in order, until it waits for approval.
    const seen: string[] = [];
    for (;;) {
      const shown = await page.waitForFunction(
        (previous: string | undefined) => {
          const stage = document.querySelector('article.release')?.getAttribute('data-stage');
          return stage && stage !== previous ? stage : undefined;
        },
        seen.at(-1),
        { timeout: STAGE_TIMEOUT, polling: 200 },
      );
      seen.push((await shown.jsonValue()) as string);
      if (seen.at(-1) === 'approval' || STAGES.indexOf(seen.at(-1) as (typeof STAGES)[number]) > STAGES.indexOf('approval')) break;
    }
    expect(seen.at(-1)).toBe('approval');
    expect(seen.map((s) => STAGES.indexOf(s as (typeof STAGES)[number]))).toEqual([...seen.map((s) => STAGES.indexOf(s as (typeof STAGES)[number]))].sort((a, b) => a - b));
    expect(seen.length).toBeGreaterThanOrEqual(3); // it moved while we watched, not one late load
    await page.waitForSelector('button[data-action="approve"]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid="gate"]')).toMatch(/auc/);
    expect(await page.textContent('[data-testid="approval"]')).toMatch(/Waiting for approval/);
    await screenshot('release-waiting-for-approval');

    await signIn('data_scientist');
    await page.goto(`${stack.api}/dashboard/#/releases/${id}`);
    await page.waitForSelector('article.release[data-stage="approval"]', { timeout: 30_000 });
    expect(await page.locator('button[data-action="approve"], button[data-action="rollback"], button[data-action="promote"]').count()).toBe(0);
    // The page hides the button; the API still refuses a forged request made with this session.
    const forged = await page.evaluate(async (releaseId) => {
      const post = async (headers: Record<string, string>) => {
        const response = await fetch(`/api/releases/${releaseId}/approve`, { method: 'POST', headers });
        return { status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code };
      };
      return { withHeader: await post({ 'x-autopilot-csrf': '1' }), withoutHeader: await post({}) };
    }, id);
    expect(forged).toEqual({ withHeader: { status: 403, code: 'Forbidden' }, withoutHeader: { status: 403, code: 'CsrfHeaderMissing' } });
    await screenshot('release-as-data-scientist');

    await signIn('ml_engineer');
    await page.goto(`${stack.api}/dashboard/#/releases/${id}`);
    await page.click('button[data-action="approve"]', { timeout: 30_000 });
    await page.waitForSelector('article.release[data-status="succeeded"]', { timeout: STAGE_TIMEOUT });
    expect(await page.textContent('[data-testid="approval"]')).toMatch(/Approved by local-ml-engineer/);
    expect(await page.textContent('[data-testid="audit"]')).toMatch(/local-ml-engineer/);
    await screenshot('release-succeeded');

    await page.click('a.report-link');
    await page.waitForSelector('[data-section="gate"]', { timeout: 30_000 });
    expect(await page.getAttribute('a.download', 'href')).toBe(`/api/releases/${id}/report?format=md`);
    await screenshot('decision-record');
    await page.goto(`${stack.api}/dashboard/#/`);
    await page.waitForSelector(`[data-pipeline="default"] a[href="#/releases/${id}"]`, { timeout: 30_000 });
    await screenshot('pipelines');
  });
});
