import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page, type Response } from 'playwright-core';
import { buildDashboard } from '../../../scripts/buildDashboard';
import type { Release } from '../../../shared/release/types';
import { runCli } from '../cli/runCli';
import { startTestStack, type TestStack } from '../e2e/localStack';

/** Helpers of the dashboard's browser tests: one stack, one headless Chromium, signed in through the real CLI. */
export const ROOT = resolve(__dirname, '../../..');
const ARTIFACTS = join(ROOT, 'test-artifacts/dashboard');

export type Role = 'ml_engineer' | 'data_scientist' | 'reader';

export interface DashboardHarness {
  stack: TestStack;
  context: BrowserContext;
  page: Page;
  stop(): Promise<void>;
}

/** Builds the dashboard, starts the embedded stack with `config`, and launches Chromium as the brief requires (fresh profile). */
export async function startDashboardHarness(config: string): Promise<DashboardHarness> {
  await buildDashboard();
  mkdirSync(ARTIFACTS, { recursive: true });
  const stack = await startTestStack({ config });
  const userDataDir = mkdtempSync(join(tmpdir(), 'autopilot-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
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
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    stack,
    context,
    page,
    async stop() {
      await context.close();
      await stack.stop();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** test-artifacts/dashboard/<name>.png, and docs/images/dashboard-<name>.png with UPDATE_SCREENSHOTS=1. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  if (process.env['UPDATE_SCREENSHOTS'] === '1')
    await page.screenshot({ path: join(ROOT, 'docs/images', `dashboard-${name}.png`), fullPage: true });
}

/** The real CLI, as a person runs it: `autopilot open --url-only --as <role>`. */
export async function signInLink(stack: TestStack, role: Role): Promise<string> {
  const cli = await runCli(['open', '--url-only', '--as', role, '--state-dir', stack.stateDir], { AUTOPILOT_URL: stack.api });
  expect(cli).toMatchObject({ code: 0, stderr: '' });
  return cli.stdout.trim();
}

/**
 * Opens a sign-in link and presses its Sign in button, as a person does: the link's GET only
 * shows the button (a link previewer spends nothing). Returns the answer to the button's POST.
 */
export async function openSignInLink(page: Page, link: string): Promise<Response> {
  await page.goto(link);
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/dashboard/login')),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  return answer;
}

export async function signIn(h: DashboardHarness, role: Role): Promise<string> {
  const link = await signInLink(h.stack, role);
  expect((await openSignInLink(h.page, link)).status()).toBe(303);
  await h.page.waitForSelector(`[data-testid="who"]:has-text("local-${role.replace('_', '-')}")`, { timeout: 30_000 });
  return link;
}

/** GET on the API as `principal` (default the reader). */
export async function apiGet<T>(stack: TestStack, path: string, principal = 'local-reader'): Promise<T> {
  const response = await fetch(`${stack.api}${path}`, { headers: { authorization: `Bearer ${stack.token(principal)}` } });
  expect([path, response.status]).toEqual([path, 200]);
  return (await response.json()) as T;
}

export async function releaseOf(stack: TestStack, blob: string): Promise<Release | undefined> {
  return (await apiGet<{ releases: Release[] }>(stack, '/releases')).releases.find((r) => r.data?.blob === blob);
}
