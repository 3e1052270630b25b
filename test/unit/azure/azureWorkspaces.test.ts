import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '../../../adapters/compose';
import { settingsFrom } from '../../../adapters/settings';
import { azureCoordinates, createAzureWorkspace, createAzureWorkspaces } from '../../../adapters/azure/workspace/azureWorkspaces';
import type { AzureMlWorkspace } from '../../../adapters/azure/workspace/AzureMlWorkspace';
import { AzureJobs } from '../../../adapters/azure/workspace/azureJobs';
import { AzureCollectedData } from '../../../adapters/azure/workspace/azureCollectedData';
import { AzureOnlineEndpoints } from '../../../adapters/azure/workspace/azureOnlineEndpoints';
import { staticTokenCredential } from '../../../adapters/azure/workspace/staticTokenCredential';
import { parseConfig } from '../../../shared/config/parseConfig';
import { ConfigError } from '../../../shared/errors';

const PIPELINES = `
pipelines:
  churn:
    data: { prefix: churn/ }
    training: { job: job.yaml }
    deployment: { spec: deployment.yaml }
`;
const PROD = `
  prod:
    backend: azure
    subscriptionId: 00000000-0000-0000-0000-000000000003
    resourceGroup: rg-prod
    workspace: ws-prod
    location: westeurope
`;

function configWith(environments: string) {
  return parseConfig(`version: 1\nenvironments:${environments}${PIPELINES}`, 'autopilot.yaml');
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('azure backend configuration', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  test('reads the workspace coordinates of each azure environment and leaves local ones out', () => {
    const coordinates = azureCoordinates(configWith(PROD), 'autopilot.yaml');
    expect(coordinates).toEqual({
      prod: {
        subscriptionId: '00000000-0000-0000-0000-000000000003',
        resourceGroup: 'rg-prod',
        workspace: 'ws-prod',
        location: 'westeurope',
      },
    });
    const workspace = createAzureWorkspace('prod', coordinates.prod!, { credential: staticTokenCredential('t') });
    expect(workspace.environment).toBe('prod');
    expect(workspace.workspacePath).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000003/resourceGroups/rg-prod/providers/Microsoft.MachineLearningServices/workspaces/ws-prod',
    );
  });

  test('names every missing field of every azure environment in one ConfigError', () => {
    const error = configError(() =>
      azureCoordinates(
        configWith(`
  staging: { backend: azure, subscriptionId: abc, workspace: ws-staging }
  prod: { backend: azure }`),
        'conf/autopilot.yaml',
      ),
    );
    expect(error.issues.map((i) => i.path)).toEqual([
      'environments.staging.resourceGroup',
      'environments.staging.location',
      'environments.prod.subscriptionId',
      'environments.prod.resourceGroup',
      'environments.prod.workspace',
      'environments.prod.location',
    ]);
    expect(error.message).toContain('conf/autopilot.yaml');
    expect(error.message).toContain('environments.prod.location: required with backend: azure');
  });

  test('builds the workspace roles for each azure environment and none for local ones', () => {
    const built = createAzureWorkspaces(configWith(PROD), 'autopilot.yaml', { credential: staticTokenCredential('t') });
    expect(Object.keys(built)).toEqual(['prod']);
    expect(built.prod!.jobs).toBeInstanceOf(AzureJobs);
    expect(built.prod!.workspacePath).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000003/resourceGroups/rg-prod/providers/Microsoft.MachineLearningServices/workspaces/ws-prod',
    );
  });

  test('starts the services with azure workspaces for azure environments, without calling Azure', async () => {
    dir = mkdtempSync(join(tmpdir(), 'azcfg-'));
    writeFileSync(
      join(dir, 'job.yaml'),
      'command: python train.py\ninputs:\n  training_data: { type: uri_file }\noutputs:\n  model: { type: custom_model }\nenvironment: azureml:env@latest\n',
    );
    writeFileSync(join(dir, 'deployment.yaml'), 'code_configuration: { code: ., scoring_script: score.py }\n');
    const env = (name: string) =>
      `\n  ${name}: { backend: azure, subscriptionId: s-${name}, resourceGroup: rg-${name}, workspace: ws-${name}, location: westeurope }`;
    writeFileSync(join(dir, 'autopilot.yaml'), `version: 1\nenvironments:${env('dev')}${env('staging')}${env('prod')}${PIPELINES}`);
    // Storage clients connect lazily: nothing is sent to this address while starting.
    const services = await composeServices(
      settingsFrom({
        AUTOPILOT_CONFIG: join(dir, 'autopilot.yaml'),
        AUTOPILOT_STATE_DIR: join(dir, 'state'),
        AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      }),
    );
    try {
      for (const name of ['dev', 'staging', 'prod'] as const) {
        const roles = services.workspaces[name];
        // Each role is filled by the Azure piece that does it, no facade between.
        expect(roles.jobs).toBeInstanceOf(AzureJobs);
        expect(roles.shadow).toBeInstanceOf(AzureOnlineEndpoints);
        expect((roles as AzureMlWorkspace).workspacePath).toContain(`/workspaces/ws-${name}`);
        // Azure ML's data collector is read for the monitors; the local stack has no such role.
        expect(roles.collected).toBeInstanceOf(AzureCollectedData);
      }
    } finally {
      await services.stop();
    }
  });

  test('still refuses to start when an azure environment lacks coordinates, naming the fields', async () => {
    dir = mkdtempSync(join(tmpdir(), 'azcfg-'));
    writeFileSync(
      join(dir, 'job.yaml'),
      'command: python train.py\ninputs:\n  training_data: { type: uri_file }\noutputs:\n  model: { type: custom_model }\nenvironment: azureml:env@latest\n',
    );
    writeFileSync(join(dir, 'deployment.yaml'), 'code_configuration: { code: ., scoring_script: score.py }\n');
    writeFileSync(join(dir, 'autopilot.yaml'), `version: 1\nenvironments:\n  prod: { backend: azure, workspace: ws-prod }${PIPELINES}`);
    const started = composeServices(
      settingsFrom({ AUTOPILOT_CONFIG: join(dir, 'autopilot.yaml'), AUTOPILOT_STATE_DIR: join(dir, 'state') }),
    );
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(/environments\.prod\.subscriptionId: required with backend: azure/);
  });
});
