import { signInAppSettingsFrom } from '../../../adapters/azure/doctor/signInCheck';
import {
  BLOB_READ_DATA_ACTION,
  datastoreCheck,
  isDataActionAllowed,
  jobDataRoleCheck,
  metricAggregationCheck,
  openIdCheck,
  signInSettingsCheck,
  type EntraSettings,
} from '../../../shared/doctor';
import { STORAGE_BLOB_DATA_READER } from '../../fakes/armMl/doctorRoutes';

const TENANT = '11111111-2222-3333-4444-555555555555';
const where = { environment: 'dev', workspace: 'ws-dev', resourceGroup: 'rg' };
const app = { accountName: 'appstore', containerName: 'autopilot-artifacts' };
const ACCOUNT_ID = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/appstore';

describe('datastoreCheck', () => {
  test('compares the account case-insensitively and the container exactly', () => {
    expect(
      datastoreCheck({ name: 'd', accountName: 'AppStore', containerName: 'autopilot-artifacts', credentialsType: 'None' }, app, where)
        .status,
    ).toBe('ok');
    expect(
      datastoreCheck({ name: 'd', accountName: 'appstore', containerName: 'training-data', credentialsType: 'None' }, app, where).status,
    ).toBe('fail');
  });

  test('a wrong target fails before stored credentials warn; an unknown app account warns instead of claiming a match', () => {
    expect(
      datastoreCheck({ name: 'd', accountName: 'other', containerName: 'autopilot-artifacts', credentialsType: 'Sas' }, app, where).status,
    ).toBe('fail');
    const unknown = datastoreCheck(
      { name: 'd', accountName: 'x', containerName: 'autopilot-artifacts', credentialsType: 'None' },
      { containerName: 'autopilot-artifacts' },
      where,
    );
    expect(unknown).toMatchObject({ status: 'warn', detail: expect.stringContaining('not compared') });
  });
});

describe('job data role', () => {
  test('a notDataAction subtracts the blob read from its own entry only', () => {
    const noBlobs = {
      actions: [],
      notActions: [],
      dataActions: ['Microsoft.Storage/*'],
      notDataActions: ['Microsoft.Storage/storageAccounts/blobServices/*'],
    };
    expect(isDataActionAllowed([noBlobs], BLOB_READ_DATA_ACTION)).toBe(false);
    expect(isDataActionAllowed([noBlobs, STORAGE_BLOB_DATA_READER], BLOB_READ_DATA_ACTION)).toBe(true);
    // Control-plane actions never grant data actions (Owner's `*` reads no blob).
    expect(isDataActionAllowed([{ actions: ['*'], notActions: [] }], BLOB_READ_DATA_ACTION)).toBe(false);
  });

  test('outside Azure the line says whose role it checked', () => {
    const local = jobDataRoleCheck({ permissions: [STORAGE_BLOB_DATA_READER], storageAccountId: ACCOUNT_ID, onAzure: false });
    expect(local).toMatchObject({ status: 'ok', detail: expect.stringContaining("the function app's managed identity in Azure") });
    const missing = jobDataRoleCheck({ permissions: [], storageAccountId: ACCOUNT_ID, onAzure: true });
    expect(missing.status).toBe('fail');
    expect(missing.detail).not.toContain('function app');
    expect(missing.fix).toContain('--assignee <object-id>');
  });
});

describe('signInSettingsCheck', () => {
  test('one of the pair alone fails as the app refuses to start with it', () => {
    const { result, entra } = signInSettingsCheck(signInAppSettingsFrom({ AUTOPILOT_ENTRA_TENANT_ID: TENANT }));
    expect(result).toMatchObject({ status: 'fail', detail: expect.stringContaining('AUTOPILOT_ENTRA_AUDIENCE is not set') });
    expect(entra).toBeUndefined();
  });

  test('in Azure, App Service authentication alone is a sign-in; an https identifier URI is an audience', () => {
    expect(
      signInSettingsCheck(signInAppSettingsFrom({ WEBSITE_INSTANCE_ID: 'x', AUTOPILOT_TRUST_APP_SERVICE_AUTH: 'true' })).result.status,
    ).toBe('ok');
    const { entra } = signInSettingsCheck(
      signInAppSettingsFrom({
        AUTOPILOT_ENTRA_TENANT_ID: TENANT,
        AUTOPILOT_ENTRA_AUDIENCE: 'https://contoso.example/autopilot',
        AUTOPILOT_ENTRA_AUTHORITY: 'https://login.microsoftonline.us/',
      }),
    );
    expect(entra).toEqual({
      tenantId: TENANT,
      audiences: ['https://contoso.example/autopilot'],
      authority: 'https://login.microsoftonline.us',
    });
  });
});

describe('openIdCheck', () => {
  const settings: EntraSettings = { tenantId: TENANT, audiences: ['api://x'], authority: 'https://login.example' };
  const base = `https://login.example/${TENANT}`;
  const answers = (issuer: string, keys: unknown[]) => ({
    discoveryUrl: `${base}/v2.0/.well-known/openid-configuration`,
    discovery: { status: 200, body: { issuer, jwks_uri: `${base}/discovery/v2.0/keys` } },
    keysUrl: `${base}/discovery/v2.0/keys`,
    keys: { status: 200, body: { keys } },
  });

  test('another issuer than the app accepts fails; so does a key set without RSA keys', () => {
    expect(openIdCheck(settings, answers(`https://sts.windows.net/${TENANT}/`, [{ kty: 'RSA' }])).status).toBe('fail');
    expect(openIdCheck(settings, answers(`${base}/v2.0`, [{ kty: 'EC' }]))).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('no RSA signing key'),
    });
    expect(openIdCheck(settings, answers(`${base}/v2.0`, [{ kty: 'RSA' }, { kty: 'RSA' }]))).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('2 RSA signing keys'),
    });
  });

  test('an unreachable authority fails naming the network error', () => {
    const result = openIdCheck(settings, { discoveryUrl: `${base}/x`, discovery: { error: 'ECONNREFUSED' }, keysUrl: `${base}/k` });
    expect(result).toMatchObject({ status: 'fail', detail: `cannot reach ${base}/x: ECONNREFUSED` });
  });
});

describe('metricAggregationCheck', () => {
  test('a metric missing from the definitions fails, names compare case-insensitively', () => {
    const needed = [
      { metric: 'RequestsPerMinute', aggregation: 'Average' },
      { metric: 'RequestLatency_P99', aggregation: 'Average' },
    ];
    const result = metricAggregationCheck('churn', '/e', needed, [{ name: 'requestsperminute', aggregations: ['average'] }]);
    expect(result).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining("RequestLatency_P99: not among the endpoint's metric definitions"),
    });
    expect(result.detail).not.toContain('RequestsPerMinute: ');
  });
});
