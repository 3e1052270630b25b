import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentsFromAppSettings, refuseLocalBackendOnAzure } from '../../../adapters/appSettingsEnvironments';
import { composeServices } from '../../../adapters/compose';
import { settingsFrom } from '../../../adapters/settings';
import { loadConfigFile } from '../../../adapters/configFile';
import { canaryTimingChecks } from '../../../shared/doctor';

const ROOT = join(__dirname, '../../..');
const template = JSON.parse(readFileSync(join(ROOT, 'infra/main.json'), 'utf8')) as {
  variables: { baseAppSettings: Record<string, string> };
};

/** The template's app settings, its expressions replaced by what Azure would put there. */
function appSettingsOfTemplate(): Record<string, string> {
  const values: Record<string, string> = {
    '[subscription().subscriptionId]': '00000000-0000-0000-0000-0000000000aa',
    '[resourceGroup().name]': 'rg-mlops',
    '[resourceGroup().location]': 'westeurope',
    "[parameters('devWorkspaceName')]": 'mlw-dev',
    "[parameters('stagingWorkspaceName')]": 'mlw-staging',
    "[parameters('prodWorkspaceName')]": 'mlw-prod',
    "[parameters('autopilotConfigPath')]": 'autopilot.azure.yaml',
    "[variables('storageName')]": 'stautopilot',
  };
  return Object.fromEntries(Object.entries(template.variables.baseAppSettings).map(([k, v]) => [k, values[v] ?? v]));
}

describe('the workspaces the deployment template names in app settings', () => {
  it('make every environment the file leaves out an azure one: the packaged autopilot.yaml then drives the three workspaces', () => {
    const { config } = loadConfigFile(join(ROOT, 'autopilot.yaml'), environmentsFromAppSettings(appSettingsOfTemplate()));
    expect(config.environments).toEqual({
      dev: expect.objectContaining({
        backend: 'azure',
        subscriptionId: '00000000-0000-0000-0000-0000000000aa',
        resourceGroup: 'rg-mlops',
        location: 'westeurope',
        workspace: 'mlw-dev',
      }),
      staging: expect.objectContaining({ backend: 'azure', workspace: 'mlw-staging' }),
      prod: expect.objectContaining({ backend: 'azure', workspace: 'mlw-prod' }),
    });
  });

  it("load the package's Azure policy (autopilot.azure.yaml, the template's default) with the example's Azure form and Azure-length canary steps", () => {
    const { config } = loadConfigFile(join(ROOT, 'autopilot.azure.yaml'), environmentsFromAppSettings(appSettingsOfTemplate()));
    const pipeline = config.pipelines['default']!;
    expect(pipeline.training.job).toBe(join(ROOT, 'examples/tabular/azure/job.yaml'));
    expect(pipeline.deployment.spec).toBe(join(ROOT, 'examples/tabular/azure/deployment.yaml'));
    expect(canaryTimingChecks(config).filter((c) => c.status !== 'ok')).toEqual([]);
  });

  it('name every missing setting, and refuse a backend that does not exist', () => {
    const { AUTOPILOT_PROD_WORKSPACE: _prod, AUTOPILOT_LOCATION: _location, ...partial } = appSettingsOfTemplate();
    expect(() => environmentsFromAppSettings(partial)).toThrow(/AUTOPILOT_LOCATION: is not set[\s\S]*AUTOPILOT_PROD_WORKSPACE: is not set/);
    expect(() => environmentsFromAppSettings({ AUTOPILOT_BACKEND: 'aws' })).toThrow(/'aws' is not a backend/);
    expect(environmentsFromAppSettings({})).toEqual({});
  });

  it('leave an environment autopilot.yaml sets as the file has it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'app-settings-'));
    try {
      const file = join(dir, 'autopilot.yaml');
      writeFileSync(
        file,
        readFileSync(join(ROOT, 'autopilot.yaml'), 'utf8')
          .replaceAll('examples/', `${ROOT}/examples/`)
          .replace(
            /^version: 1$/m,
            'version: 1\nenvironments:\n  dev: { backend: azure, subscriptionId: s-file, resourceGroup: rg-file, workspace: mlw-file, location: northeurope }',
          ),
      );
      const { config } = loadConfigFile(file, environmentsFromAppSettings(appSettingsOfTemplate()));
      expect(config.environments.dev).toMatchObject({ workspace: 'mlw-file', resourceGroup: 'rg-file', location: 'northeurope' });
      expect(config.environments.prod).toMatchObject({ backend: 'azure', workspace: 'mlw-prod' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the local backend in Azure Functions', () => {
  it('is a start-up error naming the app settings to set, before anything is written', async () => {
    const env = { WEBSITE_INSTANCE_ID: 'abc123', AUTOPILOT_CONFIG: join(ROOT, 'autopilot.yaml') };
    await expect(composeServices(settingsFrom(env))).rejects.toThrow(
      /environments\.dev\.backend: is local, but this app runs in Azure Functions \(WEBSITE_INSTANCE_ID is set\).*AUTOPILOT_BACKEND=azure and AUTOPILOT_DEV_WORKSPACE/,
    );
  });

  it('is fine outside Azure, and an all-azure configuration is fine inside it', () => {
    const local = { dev: { backend: 'local' }, staging: { backend: 'local' }, prod: { backend: 'local' } };
    expect(() => refuseLocalBackendOnAzure(local, false)).not.toThrow();
    const azure = { dev: { backend: 'azure' }, staging: { backend: 'azure' }, prod: { backend: 'azure' } };
    expect(() => refuseLocalBackendOnAzure(azure, true)).not.toThrow();
  });
});
