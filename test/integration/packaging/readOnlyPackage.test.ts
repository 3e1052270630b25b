import { BlobServiceClient } from '@azure/storage-blob';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startChildStack, type ChildStack } from '../../../devhost/childStack';
import { waitFor } from '../../support/waitFor';
import { generateCsv } from '../../../examples/tabular/generate';
import type { Release } from '../../../shared/release/types';
import { FakeAzureCloud } from '../../fakes/azureCloud/FakeAzureCloud';
import { APP_ID_URI, FakeEntraId, TENANT } from '../../fakes/entra/FakeEntraId';

jest.setTimeout(420_000);

const ROOT = resolve(__dirname, '../../..');
const PACKAGE = join(ROOT, 'dist-package');
const SUBSCRIPTION = '00000000-0000-0000-0000-0000000000aa';
const WORKSPACES = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-mlops/providers/Microsoft.MachineLearningServices/workspaces`;

/**
 * The app as Azure runs it: the folder `npm run package` builds, mounted read-only (a package
 * deployment, as Flex Consumption always is), as its working directory, with the template's app
 * settings (AUTOPILOT_BACKEND=azure, the workspaces, the schedules, Entra ID sign-in) and
 * WEBSITE_INSTANCE_ID set, against the fakes of Azure. It used to fail at start-up writing
 * .autopilot/tokens.json into the app folder.
 */
let cloud: FakeAzureCloud;
let entra: FakeEntraId;
let stack: ChildStack | undefined;
let engineer: string;

beforeAll(async () => {
  // --skip-install: the production dependencies are the repository's (linked), the rest is the package.
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/package.ts', '--skip-install', '--out', 'dist-package'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  if (!existsSync(join(PACKAGE, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(PACKAGE, 'node_modules'), 'dir');
  cloud = await FakeAzureCloud.start({ workspaces: ['mlw-dev', 'mlw-staging', 'mlw-prod'].map((w) => `${WORKSPACES}/${w}`) });
  cloud.arm.scoring.predictor = (_model, columns, rows) => {
    const tenure = columns.indexOf('tenure_months');
    const p = rows.map((row) => 1 / (1 + Math.exp(0.08 * (Number(row[tenure]) - 20))));
    return { predictions: p.map((x) => (x >= 0.5 ? '1' : '0')), probabilities: p.map((x) => [1 - x, x]), classes: ['0', '1'] };
  };
  entra = await FakeEntraId.start();
  engineer = await entra.token(['MLEngineer.Dev', 'MLEngineer.Staging', 'MLEngineer.Prod']);
  stack = await startChildStack(join(PACKAGE, 'autopilot.azure.yaml'), {
    app: { dir: PACKAGE, readOnly: true },
    startTimeoutMs: 180_000,
    env: {
      ...cloud.env,
      WEBSITE_INSTANCE_ID: 'read-only-package-test',
      AUTOPILOT_CONFIG: 'autopilot.azure.yaml', // the template's default
      // What infra/main.json sets.
      AUTOPILOT_BACKEND: 'azure',
      AZURE_SUBSCRIPTION_ID: SUBSCRIPTION,
      AUTOPILOT_RESOURCE_GROUP: 'rg-mlops',
      AUTOPILOT_LOCATION: 'westeurope',
      AUTOPILOT_DEV_WORKSPACE: 'mlw-dev',
      AUTOPILOT_STAGING_WORKSPACE: 'mlw-staging',
      AUTOPILOT_PROD_WORKSPACE: 'mlw-prod',
      AUTOPILOT_SWEEP_SCHEDULE: '0 * * * * *',
      AUTOPILOT_MONITOR_SCHEDULE: '30 * * * * *',
      AUTOPILOT_ENTRA_TENANT_ID: TENANT,
      AUTOPILOT_ENTRA_AUDIENCE: APP_ID_URI,
      AUTOPILOT_ENTRA_AUTHORITY: entra.authority,
      AUTOPILOT_PROVISIONING_WAIT_SECONDS: '0.5',
      AUTOPILOT_PROVISIONING_POLL_SECONDS: '1',
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  await Promise.all([cloud?.stop(), entra?.stop()]);
});

describe('the packaged app, read-only, on the azure backend', () => {
  it('starts, takes a release to prod through the fakes of Azure, and answers an Entra ID caller; it writes nothing into its folder', async () => {
    const before = readdirSync(PACKAGE).sort();
    const container = BlobServiceClient.fromConnectionString(stack!.connectionString).getContainerClient('training-data');
    await container.createIfNotExists();
    const csv = generateCsv({ rows: 600, seed: 41 });
    await container.getBlockBlobClient('default/read-only.csv').upload(csv, Buffer.byteLength(csv));
    const release = await waitFor(
      'the release of default/read-only.csv',
      async () => {
        const response = await fetch(`${stack!.api}/releases`, { headers: { authorization: `Bearer ${engineer}` } });
        if (response.status !== 200) throw new Error(`GET /releases: ${response.status} ${await response.text()}`);
        const found = ((await response.json()) as { releases: Release[] }).releases.find((r) => r.data?.blob === 'default/read-only.csv');
        return found && !['queued', 'running'].includes(found.status) ? found : undefined;
      },
      { timeoutMs: 300_000 },
    );
    expect({ status: release.status, reason: release.reason }).toEqual({ status: 'succeeded', reason: undefined });
    expect(cloud.arm.callsTo('PUT', `/jobs/${release.job!.name}`)[0]!.path).toContain('/workspaces/mlw-dev/');
    // The example's Azure form: its Node 20 environment registered from the packaged build context.
    expect(
      cloud.arm.calls.some(
        (c) => c.method === 'PUT' && c.path.includes('/workspaces/mlw-prod/environments/tabular-node-20-serving/versions/'),
      ),
    ).toBe(true);
    // The local tokens are neither written nor accepted here.
    expect(existsSync(join(PACKAGE, '.autopilot'))).toBe(false);
    expect(readdirSync(PACKAGE).sort()).toEqual(before);
    expect((await fetch(`${stack!.api}/releases`)).status).toBe(401);
    // The dashboard's bundle ships in the package and is served from it.
    const dashboard = await fetch(`${stack!.api}/dashboard/`);
    expect([dashboard.status, /src="assets\/main-[A-Z0-9]+\.js"/.test(await dashboard.text())]).toEqual([200, true]);
    // An Entra ID caller (what `autopilot open --scope …` sends) gets a sign-in link whose session is that caller.
    const link = await fetch(`${stack!.api}/dashboard/sessions`, { method: 'POST', headers: { authorization: `Bearer ${engineer}` } });
    const { url } = (await link.json()) as { url: string };
    // Opening the link only shows its Sign in page; the button's same-origin POST of the code signs in.
    const page = await fetch(url, { redirect: 'manual' });
    const code = new URL(url).searchParams.get('code')!;
    const login = await fetch(`${stack!.api}/dashboard/login`, {
      method: 'POST',
      headers: { 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ code }),
      redirect: 'manual',
    });
    const cookie = /autopilot_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0];
    const me = (await (await fetch(`${stack!.api}/dashboard/me`, { headers: { cookie } })).json()) as {
      principal: { roles: { role: string; environments: string[] }[] };
    };
    expect([link.status, page.status, login.status, me.principal.roles]).toEqual([
      201,
      200,
      303,
      expect.arrayContaining([{ role: 'ml_engineer', environments: ['prod'] }]),
    ]);
    expect(stack!.output()).not.toMatch(/EROFS|read-only file system/i);
  });
});
