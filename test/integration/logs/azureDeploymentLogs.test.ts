import { azureMlWorkspace } from '../../../adapters/azure/workspace/AzureMlWorkspace';
import { staticTokenCredential } from '../../../adapters/azure/workspace/staticTokenCredential';
import { AutopilotError, BadRequestError, NotFoundError } from '../../../shared/errors';
import { ArmMlFake } from '../../fakes/armMl/ArmMlFake';
import { logRoutes, type LogRoutes } from '../../fakes/armMl/logRoutes';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';
import { FakeLogAnalytics } from '../../fakes/logAnalytics/FakeLogAnalytics';

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000007';
const WORKSPACE_PATH = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-mlops/providers/Microsoft.MachineLearningServices/workspaces/ws-prod`;
const LOG_ANALYTICS = '6f1c1f0e-3b7a-4a51-9d0e-2f4b8c7a9e10';
const NOW = new Date('2026-03-10T12:00:00.000Z');
/** Azure stores `_ResourceId` upper-cased. */
const endpointId = (workspacePath: string, endpoint: string) => `${workspacePath}/onlineEndpoints/${endpoint}`.toUpperCase();

let arm: ArmMlFake;
let logs: LogRoutes;
let analytics: FakeLogAnalytics;
let cert: string;

const workspace = (options: { logAnalyticsWorkspaceId?: string } = {}) =>
  azureMlWorkspace({
    environment: 'prod',
    subscriptionId: SUBSCRIPTION,
    resourceGroup: 'rg-mlops',
    workspace: 'ws-prod',
    location: 'westeurope',
    credential: staticTokenCredential('fake-token'),
    endpoint: arm.url,
    trustedCa: cert,
    logsEndpoint: analytics.url,
    now: () => NOW,
    ...options,
  });

beforeAll(async () => {
  const tls = selfSignedCert();
  cert = tls.cert;
  [arm, analytics] = await Promise.all([ArmMlFake.start(tls), FakeLogAnalytics.start(tls)]);
  logs = logRoutes();
  arm.addRoute(logs.route);
  logs.setContainerLogs(WORKSPACE_PATH, 'churn-prod', 'green', {
    inferenceServer: [
      'Azure ML inferencing server starting',
      '2026-03-10 11:58:00,001 I [7] azmlinfsrv - loaded model churn:7',
      '2026-03-10 11:59:30,250 E [7] azmlinfsrv - run() failed: KeyError: tenure',
      'Traceback (most recent call last):',
      '',
    ].join('\n'),
  });
  analytics.addWorkspace(LOG_ANALYTICS, [
    {
      TimeGenerated: '2026-03-10T11:50:00.000Z',
      _ResourceId: endpointId(WORKSPACE_PATH, 'churn-prod'),
      DeploymentName: 'canary',
      ContainerName: 'inference-server',
      Message: 'loaded model churn:8',
    },
    {
      TimeGenerated: '2026-03-10T11:55:00.000Z',
      _ResourceId: endpointId(WORKSPACE_PATH, 'churn-prod'),
      DeploymentName: 'canary',
      ContainerName: 'inference-server',
      Message: 'run() failed: KeyError: plan\n',
    },
    {
      TimeGenerated: '2026-03-10T11:56:00.000Z',
      _ResourceId: endpointId(WORKSPACE_PATH, 'churn-prod'),
      DeploymentName: 'blue',
      ContainerName: 'inference-server',
      Message: 'blue is fine',
    },
    // The same endpoint name in another Azure ML workspace sending to the same Log Analytics workspace.
    {
      TimeGenerated: '2026-03-10T11:57:00.000Z',
      _ResourceId: endpointId(WORKSPACE_PATH.replace('ws-prod', 'ws-staging'), 'churn-prod'),
      DeploymentName: 'canary',
      Message: 'from staging',
    },
  ]);
});

afterAll(async () => {
  await Promise.all([arm?.stop(), analytics?.stop()]);
});

describe('azureMlWorkspace(...).logs.deploymentLogs through getLogs (no Log Analytics configured)', () => {
  test('returns the inference server container lines, times read from their stamps, and asks getLogs for the tail', async () => {
    const answer = await workspace().logs.deploymentLogs('churn-prod', 'green', { tail: 3 });
    expect(answer).toEqual({
      source: 'Azure ML getLogs (inference-server container)',
      lines: [
        { time: '2026-03-10T11:58:00.001Z', text: '2026-03-10 11:58:00,001 I [7] azmlinfsrv - loaded model churn:7' },
        { time: '2026-03-10T11:59:30.250Z', text: '2026-03-10 11:59:30,250 E [7] azmlinfsrv - run() failed: KeyError: tenure' },
        { text: 'Traceback (most recent call last):' },
      ],
    });
    expect(logs.requests.at(-1)).toEqual({ containerType: 'InferenceServer', tail: 3 });
    expect(arm.callsTo('POST', '/onlineEndpoints/churn-prod/deployments/green/getLogs').at(-1)?.apiVersion).toBe('2022-10-01');
  });

  test('applies since to the lines that carry a time (and the untimed lines under them)', async () => {
    const answer = await workspace().logs.deploymentLogs('churn-prod', 'green', { since: '1m' });
    expect(answer.lines.map((l) => l.text)).toEqual([
      'Azure ML inferencing server starting',
      '2026-03-10 11:59:30,250 E [7] azmlinfsrv - run() failed: KeyError: tenure',
      'Traceback (most recent call last):',
    ]);
    expect(logs.requests.at(-1)).toEqual({ containerType: 'InferenceServer', tail: 100 });
  });

  test('a deployment that does not exist is a NotFoundError naming endpoint and deployment', async () => {
    const attempt = workspace().logs.deploymentLogs('churn-prod', 'gone');
    await expect(attempt).rejects.toThrow(NotFoundError);
    await expect(attempt).rejects.toThrow("deployment 'churn-prod/gone' not found");
  });

  test('a tail above 5000 is refused before any call to Azure', async () => {
    const before = arm.calls.length;
    await expect(workspace().logs.deploymentLogs('churn-prod', 'green', { tail: 5001 })).rejects.toThrow(BadRequestError);
    expect(arm.calls.length).toBe(before);
  });
});

describe('azureMlWorkspace(...).logs.deploymentLogs from Log Analytics (logAnalyticsWorkspaceId configured)', () => {
  test("reads a deleted canary's console lines from AmlOnlineEndpointConsoleLog, this workspace's endpoint only, oldest first", async () => {
    const answer = await workspace({ logAnalyticsWorkspaceId: LOG_ANALYTICS }).logs.deploymentLogs('churn-prod', 'canary');
    expect(answer).toEqual({
      source: `Log Analytics ${LOG_ANALYTICS}`,
      lines: [
        { time: '2026-03-10T11:50:00.000Z', text: 'loaded model churn:8' },
        { time: '2026-03-10T11:55:00.000Z', text: 'run() failed: KeyError: plan' },
      ],
    });
    const call = analytics.calls.at(-1)!;
    expect(call.workspaceId).toBe(LOG_ANALYTICS);
    expect(call.query).toContain('AmlOnlineEndpointConsoleLog');
    expect(call.query).toContain(`_ResourceId =~ '${WORKSPACE_PATH}/onlineEndpoints/churn-prod'`);
    expect(call.query).toContain("DeploymentName == 'canary'");
    expect(call.timespan).toBe('2026-03-03T12:00:00.000Z/2026-03-10T12:00:00.000Z'); // the last 7 days
    // getLogs is not asked: the container may be gone.
    expect(arm.callsTo('POST', '/deployments/canary/getLogs')).toHaveLength(0);
  });

  test('keeps the newest tail lines and starts the time span at since', async () => {
    const answer = await workspace({ logAnalyticsWorkspaceId: LOG_ANALYTICS }).logs.deploymentLogs('churn-prod', 'canary', {
      tail: 1,
      since: '2026-03-10T11:00:00Z',
    });
    expect(answer.lines).toEqual([{ time: '2026-03-10T11:55:00.000Z', text: 'run() failed: KeyError: plan' }]);
    expect(analytics.calls.at(-1)?.timespan).toBe('2026-03-10T11:00:00.000Z/2026-03-10T12:00:00.000Z');
    expect(analytics.calls.at(-1)?.query).toContain('| top 1 by TimeGenerated desc');
  });

  test('a 403 says which role the identity needs on the Log Analytics workspace', async () => {
    analytics.failNext(403);
    const attempt = workspace({ logAnalyticsWorkspaceId: LOG_ANALYTICS }).logs.deploymentLogs('churn-prod', 'canary');
    await expect(attempt).rejects.toThrow(AutopilotError);
    await expect(attempt).rejects.toThrow(
      `Log Analytics workspace ${LOG_ANALYTICS} refused the console log query (HTTP 403): grant the app's identity the role 'Log Analytics Reader'`,
    );
  });

  test('a workspace without the console log table says to add the diagnostic setting on the endpoint', async () => {
    const bare = '0d6e2b3c-8a41-4f0e-b7d5-1c9a2e4f6b80';
    analytics.addWorkspaceWithoutConsoleLogs(bare);
    await expect(workspace({ logAnalyticsWorkspaceId: bare }).logs.deploymentLogs('churn-prod', 'canary')).rejects.toThrow(
      'add a diagnostic setting on the online endpoint that sends the category AmlOnlineEndpointConsoleLog to it',
    );
  });
});
