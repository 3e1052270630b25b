import { resolve } from 'node:path';
import { runningOnAzure, settingsFrom, telemetrySettingsFrom, type AppSettings } from '../../../adapters/settings';
import { ConfigError } from '../../../shared/errors';
import { thrownBy } from '../../support/thrownBy';

const TENANT = '11111111-2222-3333-4444-555555555555';
const APP_ID = '66666666-7777-8888-9999-000000000000';

const refusal = (read: () => unknown) => thrownBy(read, ConfigError);

describe('settingsFrom: the adapters’ groups', () => {
  it('gives each group its default when nothing is set', () => {
    const settings = settingsFrom({});
    expect(settings.entra).toBeUndefined();
    expect(settings.eventGrid).toBeUndefined();
    expect(settings.telemetry).toEqual({});
    expect(settings.azure).toEqual({});
    expect(settings.notify).toEqual({});
    expect(settings.monitorScanThreads).toBe(0);
    expect(settings.dashboardDir).toBeUndefined();
    expect(settings.linkBaseUrl()).toBe('http://127.0.0.1:7071');
  });

  it('reads every group into its typed field', () => {
    const settings = settingsFrom({
      AUTOPILOT_ENTRA_TENANT_ID: TENANT,
      AUTOPILOT_ENTRA_AUDIENCE: ` api://${APP_ID} , ${APP_ID}`,
      AUTOPILOT_ENTRA_AUTHORITY: 'https://login.microsoftonline.us/',
      AUTOPILOT_EVENTGRID_ENDPOINT: 'https://t.westeurope-1.eventgrid.azure.net',
      AUTOPILOT_EVENTGRID_KEY: 'k',
      AUTOPILOT_TELEMETRY: 'console',
      AUTOPILOT_ARM_ENDPOINT: 'https://management.usgovcloudapi.net/',
      AUTOPILOT_METRICS_ENDPOINT: 'https://metrics.example',
      AUTOPILOT_LOGS_ENDPOINT: 'https://logs.example',
      AUTOPILOT_REGISTRY_DISCOVERY_ENDPOINT: 'https://registry.example',
      AUTOPILOT_DATA_DATASTORE: 'team_data',
      AUTOPILOT_PROVISIONING_WAIT_SECONDS: '0',
      AUTOPILOT_METRICS_DELAY_SECONDS: '90',
      AUTOPILOT_NOTIFY_MAX_ATTEMPTS: '3',
      AUTOPILOT_NOTIFY_BACKOFF_SECONDS: '0.5',
      AUTOPILOT_NOTIFY_TIMEOUT_MS: '2500',
      AUTOPILOT_MONITOR_SCAN_THREADS: '4',
      AUTOPILOT_DASHBOARD_DIR: 'dashboard/dist',
      WEBSITE_HOSTNAME: 'app.azurewebsites.net',
      WEBHOOK_URL: ' https://hooks.example/x ',
    });
    expect(settings.entra).toEqual({
      tenantId: TENANT,
      audiences: [`api://${APP_ID}`, APP_ID],
      authority: 'https://login.microsoftonline.us',
    });
    expect(settings.eventGrid).toEqual({ endpoint: 'https://t.westeurope-1.eventgrid.azure.net/api/events', key: 'k' });
    expect(settings.telemetry).toEqual({ mode: 'console' });
    expect(settings.azure).toEqual({
      armEndpoint: 'https://management.usgovcloudapi.net',
      metricsEndpoint: 'https://metrics.example',
      logsEndpoint: 'https://logs.example',
      registryDiscoveryEndpoint: 'https://registry.example',
      dataDatastore: 'team_data',
      provisioningWaitSeconds: 0,
      metricsDelaySeconds: 90,
    });
    expect(settings.notify).toEqual({ maxAttempts: 3, backoffSeconds: 0.5, timeoutMs: 2500 });
    expect(settings.monitorScanThreads).toBe(4);
    expect(settings.dashboardDir).toBe(resolve('dashboard/dist'));
    expect(settings.linkBaseUrl()).toBe('https://app.azurewebsites.net');
    expect(settings.namedSetting('WEBHOOK_URL')).toBe('https://hooks.example/x');
    expect(settings.namedSetting('UNSET')).toBeUndefined();
  });

  it.each([
    ['AUTOPILOT_ENTRA_TENANT_ID', 'contoso.onmicrosoft.com', /must be the directory \(tenant\) id, a GUID/],
    ['AUTOPILOT_ENTRA_AUDIENCE', `api://${APP_ID},my app`, /must be comma-separated audiences/],
    ['AUTOPILOT_ENTRA_AUTHORITY', 'login.microsoftonline.us', /must be the Entra ID authority URL/],
    ['AUTOPILOT_ARM_ENDPOINT', 'http://management.azure.com', /must be an https URL/],
    ['AUTOPILOT_METRICS_ENDPOINT', 'metrics', /must be an https URL/],
    ['AUTOPILOT_LOGS_ENDPOINT', 'https://a b', /must be an https URL/],
    ['AUTOPILOT_REGISTRY_DISCOVERY_ENDPOINT', 'ftp://x', /must be an https URL/],
    ['AUTOPILOT_DATA_DATASTORE', '../x', /must be a datastore name/],
    ['AUTOPILOT_PROVISIONING_WAIT_SECONDS', '601', /must be a number of seconds from 0 to 600/],
    ['AUTOPILOT_METRICS_DELAY_SECONDS', 'late', /must be a number of seconds from 0 to 900/],
    ['AUTOPILOT_NOTIFY_MAX_ATTEMPTS', '2.5', /must be a whole number of attempts from 1 to 50/],
    ['AUTOPILOT_NOTIFY_BACKOFF_SECONDS', '-1', /must be a number of seconds from 0 to 3600/],
    ['AUTOPILOT_NOTIFY_TIMEOUT_MS', '50', /must be a number of milliseconds from 100 to 120000/],
    ['AUTOPILOT_MONITOR_SCAN_THREADS', '17', /must be a whole number from 0 to 16/],
  ])('refuses %s=%j, naming the variable and echoing the value', (name, value, message) => {
    const error = refusal(() => settingsFrom({ [name]: value, ...otherHalf(name) }));
    expect(error.issues.map((i) => i.path)).toEqual([name]);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`${name}: `);
    expect(error.message).toContain(JSON.stringify(value));
  });

  it('refuses half of the Entra ID settings, naming the missing one', () => {
    expect(refusal(() => settingsFrom({ AUTOPILOT_ENTRA_AUDIENCE: APP_ID })).message).toMatch(
      /AUTOPILOT_ENTRA_TENANT_ID: is not set: Entra ID sign-in needs both/,
    );
  });

  it('fills environments from AUTOPILOT_BACKEND=azure and its workspace settings, none by default, naming a bad backend', () => {
    expect(settingsFrom({}).environments).toEqual({});
    const azure = settingsFrom({
      AUTOPILOT_BACKEND: 'azure',
      AZURE_SUBSCRIPTION_ID: 'sub',
      AUTOPILOT_RESOURCE_GROUP: 'rg',
      AUTOPILOT_LOCATION: 'westeurope',
      AUTOPILOT_DEV_WORKSPACE: 'd',
      AUTOPILOT_STAGING_WORKSPACE: 's',
      AUTOPILOT_PROD_WORKSPACE: 'p',
    });
    expect(azure.environments.prod).toEqual({
      backend: 'azure',
      subscriptionId: 'sub',
      resourceGroup: 'rg',
      location: 'westeurope',
      workspace: 'p',
    });
    expect(refusal(() => settingsFrom({ AUTOPILOT_BACKEND: 'aws' })).message).toMatch(/AUTOPILOT_BACKEND: 'aws' is not a backend/);
  });

  it('reads the link base URL per call: the local host sets it after the services were built', () => {
    const env: Record<string, string | undefined> = {};
    const settings = settingsFrom(env);
    env['AUTOPILOT_PUBLIC_URL'] = 'http://127.0.0.1:40123';
    expect(settings.linkBaseUrl()).toBe('http://127.0.0.1:40123');
  });
});

describe('telemetrySettingsFrom', () => {
  const read = (env: AppSettings) => () => telemetrySettingsFrom(env);

  it('defaults to no mode and no connection string', () => {
    expect(telemetrySettingsFrom({ AUTOPILOT_TELEMETRY: ' ' })).toEqual({});
  });

  it('names AUTOPILOT_TELEMETRY for a mode it does not know', () => {
    expect(refusal(read({ AUTOPILOT_TELEMETRY: 'verbose' })).message).toMatch(
      /AUTOPILOT_TELEMETRY: must be "console", "off" or unset, not "verbose"/,
    );
  });

  it('never echoes a bad connection string, and ignores it when telemetry is off', () => {
    const secret = 'IngestionEndpoint=https://x/;Secret=hunter2';
    const error = refusal(read({ APPLICATIONINSIGHTS_CONNECTION_STRING: secret }));
    expect(error.message).toMatch(/APPLICATIONINSIGHTS_CONNECTION_STRING: has no InstrumentationKey/);
    expect(error.message).not.toContain('hunter2');
    expect(telemetrySettingsFrom({ AUTOPILOT_TELEMETRY: 'off', APPLICATIONINSIGHTS_CONNECTION_STRING: secret })).toEqual({
      mode: 'off',
      connectionString: secret,
    });
  });
});

describe('runningOnAzure', () => {
  it('is true only when WEBSITE_INSTANCE_ID has a value', () => {
    expect([runningOnAzure({}), runningOnAzure({ WEBSITE_INSTANCE_ID: ' ' }), runningOnAzure({ WEBSITE_INSTANCE_ID: 'abc' })]).toEqual([
      false,
      false,
      true,
    ]);
  });
});

/** The Entra ID settings come in pairs: a bad one of them is shown with a good other half. */
function otherHalf(name: string): AppSettings {
  if (name === 'AUTOPILOT_ENTRA_TENANT_ID') return { AUTOPILOT_ENTRA_AUDIENCE: APP_ID };
  if (name === 'AUTOPILOT_ENTRA_AUDIENCE') return { AUTOPILOT_ENTRA_TENANT_ID: TENANT };
  if (name === 'AUTOPILOT_ENTRA_AUTHORITY') return { AUTOPILOT_ENTRA_TENANT_ID: TENANT, AUTOPILOT_ENTRA_AUDIENCE: APP_ID };
  return {};
}
