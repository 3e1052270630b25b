import { BlobServiceClient } from '@azure/storage-blob';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { generateCsv } from '../../../examples/tabular/generate';
import { buildDashboard } from '../../../scripts/buildDashboard';
import { STAGES } from '../../../shared/release/stageOrder';
import type { Release, Stage } from '../../../shared/release/types';
import { startTestStack, waitFor, type TestStack } from '../e2e/localStack';
import { openSignInLink, signInLink } from './browser';

jest.setTimeout(600_000);

/** The page's DOM, in functions that run in the browser (the tests compile without the DOM lib). */
declare const document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };

const ROOT = resolve(__dirname, '../../..');
const ARTIFACTS = join(ROOT, 'test-artifacts/dashboard');
/** Generous: a loaded 2-core machine trains, deploys and shadows in this test. */
const STAGE_TIMEOUT = 300_000;

let stack: TestStack;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
let gateDir: string;
/** The training job waits until this file exists (test/fixtures/e2e/waitForGate.js). */
let trainingGate: string;

beforeAll(async () => {
  await buildDashboard();
  mkdirSync(ARTIFACTS, { recursive: true });
  gateDir = mkdtempSync(join(tmpdir(), 'autopilot-gate-'));
  trainingGate = join(gateDir, 'open');
  stack = await startTestStack({
    config: join(ROOT, 'test/fixtures/dashboard/autopilot.yaml'),
    env: { AUTOPILOT_TEST_GATE: trainingGate },
  });
  userDataDir = mkdtempSync(join(tmpdir(), 'autopilot-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
});

afterAll(async () => {
  await context?.close();
  await stack?.stop();
  for (const dir of [userDataDir, gateDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  if (process.env['UPDATE_SCREENSHOTS'] !== '1') return;
  mkdirSync(join(ROOT, 'docs/images'), { recursive: true });
  await page.screenshot({ path: join(ROOT, 'docs/images', `dashboard-${name}.png`), fullPage: true });
}

/** Signs the page in through the real CLI's link and the link's Sign in button (browser.ts). */
async function signIn(role: 'ml_engineer' | 'data_scientist'): Promise<string> {
  const link = await signInLink(stack, role);
  expect((await openSignInLink(page, link)).status()).toBe(303);
  await page.waitForSelector(`[data-testid="who"]:has-text("local-${role.replace('_', '-')}")`, { timeout: 30_000 });
  return link;
}

async function releaseOf(blob: string): Promise<Release | undefined> {
  const response = await fetch(`${stack.api}/releases`, { headers: { authorization: `Bearer ${stack.token('local-reader')}` } });
  return ((await response.json()) as { releases: Release[] }).releases.find((r) => r.data?.blob === blob);
}

describe('the dashboard in headless Chromium', () => {
  it('serves its files with a strict CSP and finds nothing outside its manifest', async () => {
    const index = await fetch(`${stack.api}/dashboard/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    const script = /src="(assets\/main-[^"]+\.js)"/.exec(await index.text())![1]!;
    const asset = await fetch(`${stack.api}/dashboard/${script}`);
    expect([asset.status, asset.headers.get('content-type'), asset.headers.get('cache-control')]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'public, max-age=31536000, immutable',
    ]);
    for (const attempt of [
      '..%2f..%2fpackage.json',
      'assets/..%2f..%2f..%2fpackage.json',
      '%2e%2e/%2e%2e/host.json',
      'index.html%00.js',
      '%2fetc%2fpasswd',
      'manifest.json',
    ]) {
      expect([attempt, (await fetch(`${stack.api}/dashboard/${attempt}`)).status]).toEqual([attempt, 404]);
    }
    const root = await fetch(`${stack.functions}/`, { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/api/dashboard/']);
  });

  it('tells a visitor without a session to run autopilot open, refuses a spent link, shows API errors and signs out', async () => {
    await page.goto(`${stack.functions}/`);
    await page.waitForSelector('[data-testid="signin"] >> text=autopilot open', { timeout: 30_000 });
    await screenshot('sign-in');
    // Another site's page that posts a sign-in code (its owner's, say) from the visitor's browser: refused, not signed in.
    const forged = new URL(await signInLink(stack, 'data_scientist'));
    await context.route('http://attacker.test/**', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<form method="post" action="${stack.api}/dashboard/login"><input type="hidden" name="code" value="${forged.searchParams.get('code')}"><button>Win a prize</button></form>`,
      }),
    );
    await page.goto('http://attacker.test/');
    const [refused] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button')]);
    expect(refused.status()).toBe(403);
    expect(await page.textContent('#why')).toMatch(/sent by another site/);
    await context.unroute('http://attacker.test/**');
    const link = await signIn('ml_engineer');
    // The link's page still opens (GETs spend nothing), but its button is refused the second time.
    const again = await openSignInLink(page, link);
    expect(again.status()).toBe(410);
    expect(await page.textContent('#why')).toMatch(/already been used/);

    // Signed in (the refused link took nothing away): a page shows the API's own error, and signing out ends the session.
    const renewal = await page.evaluate(() =>
      fetch('/api/dashboard/sessions', { method: 'POST', headers: { 'x-autopilot-csrf': '1' } }).then((r) => r.status),
    );
    expect(renewal).toBe(403); // a session cannot mint its successor
    await page.goto(`${stack.api}/dashboard/#/releases/no-such-release`);
    await page.waitForSelector('p.error >> text=NotFound', { timeout: 30_000 });
    await page.click('button.signout');
    await page.waitForSelector('[data-testid="signin"] >> text=You are signed out', { timeout: 30_000 });
    expect(await page.evaluate(() => fetch('/api/dashboard/me').then((r) => r.json()))).toEqual({ principal: null, signIn: {} });
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
    // Training waits at the gate until the page has shown it, so the page is seen to move.
    const seen: string[] = [];
    while (seen.at(-1) !== 'approval') {
      const shown = await page.waitForFunction(
        (previous: string | undefined) => {
          const stage = document.querySelector('article.release')?.getAttribute('data-stage');
          return stage && stage !== previous ? stage : undefined;
        },
        seen.at(-1),
        { timeout: STAGE_TIMEOUT, polling: 200 },
      );
      seen.push((await shown.jsonValue()) as string);
      if (seen.at(-1) === 'train') writeFileSync(trainingGate, '');
      if (STAGES.indexOf(seen.at(-1) as Stage) > STAGES.indexOf('approval')) break;
    }
    const order = seen.map((s) => STAGES.indexOf(s as Stage));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(seen).toContain('train');
    expect(seen.at(-1)).toBe('approval');
    await page.waitForSelector('button[data-action="approve"]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid="gate"]')).toMatch(/auc/);
    expect(await page.textContent('[data-testid="approval"]')).toMatch(/Waiting for approval/);
    await screenshot('release-waiting-for-approval');

    await signIn('data_scientist');
    await page.goto(`${stack.api}/dashboard/#/releases/${id}`);
    await page.waitForSelector('article.release[data-stage="approval"]', { timeout: 30_000 });
    expect(await page.locator('button[data-action="approve"], button[data-action="rollback"], button[data-action="promote"]').count()).toBe(
      0,
    );
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

  it("shows the second release's canary, hides its rollback from a data scientist, and rolls it back for an ML engineer", async () => {
    const blob = 'default/dashboard-2.csv';
    const csv = generateCsv({ rows: 1200, seed: 22 });
    await BlobServiceClient.fromConnectionString(stack.connectionString)
      .getContainerClient('training-data')
      .getBlockBlobClient(blob)
      .upload(csv, Buffer.byteLength(csv));
    const { id } = await waitFor('the release of the second upload', () => releaseOf(blob), { timeoutMs: 120_000 });
    await signIn('ml_engineer');
    await page.goto(`${stack.api}/dashboard/#/releases/${id}`);
    await page.click('button[data-action="approve"]', { timeout: STAGE_TIMEOUT });
    await page.waitForSelector('[data-testid="canary-panel"] td >> text=50 %', { timeout: STAGE_TIMEOUT });
    await screenshot('release-canary');

    await signIn('data_scientist');
    await page.goto(`${stack.api}/dashboard/#/releases/${id}`);
    await page.waitForSelector('[data-testid="canary-panel"]', { timeout: 30_000 });
    expect(await page.locator('button[data-action="rollback"], button[data-action="promote"]').count()).toBe(0);
    const forged = await page.evaluate(async (releaseId) => {
      const response = await fetch(`/api/releases/${releaseId}/rollback`, {
        method: 'POST',
        headers: { 'x-autopilot-csrf': '1', 'content-type': 'application/json' },
        body: '{}',
      });
      return response.status;
    }, id);
    expect(forged).toBe(403);

    await signIn('ml_engineer');
    await page.goto(`${stack.api}/dashboard/#/releases/${id}`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('button[data-action="rollback"]', { timeout: 30_000 });
    await page.waitForSelector('article.release[data-status="rolled_back"]', { timeout: STAGE_TIMEOUT });
    expect(await page.textContent('article.release')).toMatch(/by local-ml-engineer/);
    await screenshot('release-rolled-back');
    await page.click('nav.top >> text=Releases');
    await page.waitForSelector(`[data-testid="releases"] tr[data-release="${id}"] >> text=rolled back`, { timeout: 30_000 });
    await screenshot('releases');
  });
});
