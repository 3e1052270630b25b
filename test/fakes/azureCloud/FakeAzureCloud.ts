import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_ACCOUNT, startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { FakeDataCollector } from '../armMl/fakeDataCollector';
import { ArmMlFake } from '../armMl/ArmMlFake';
import { codeRoutes } from '../armMl/codeRoutes';
import { FakeMlflow } from '../mlflow/FakeMlflow';
import { FakeEventGridTopic } from '../eventGrid/FakeEventGridTopic';
import { FakeMonitorMetrics } from '../armMl/FakeMonitorMetrics';
import { selfSignedCert } from '../armMl/selfSignedCert';
import { FakeManagedIdentity } from '../identity/FakeManagedIdentity';

const MINUTE = 60_000;
/** The fake scores in about a millisecond; Monitor reports whole milliseconds per minute. */
const FAKE_LATENCY_MS = 4;

/**
 * The Azure a function app talks to, on localhost: ARM for the ML workspaces (jobs move
 * along by themselves and log MLflow metrics when they complete; code uploads land in the
 * workspaces' own storage account, an Azurite of its own), the endpoints' scoring plane,
 * Azure Monitor metrics fed by every answered scoring call (minute buckets per deployment
 * and status class, as the service emits them) and the managed-identity endpoint.
 * `env` is what a child stack needs.
 */
export class FakeAzureCloud {
  private constructor(
    readonly arm: ArmMlFake,
    readonly metrics: FakeMonitorMetrics,
    readonly identity: FakeManagedIdentity,
    readonly mlflow: FakeMlflow,
    /** The custom topic the app publishes its own events to, with its managed identity. */
    readonly eventGrid: FakeEventGridTopic,
    /** Azure ML's data collector: what deployments with data_collector collect lands in the workspaces' storage. */
    readonly collector: FakeDataCollector,
    private readonly stores: RunningAzurite[],
    private readonly certDir: string,
  ) {}

  /** `workspaces`: ARM paths of the workspaces that exist (`/subscriptions/.../workspaces/<name>`). */
  static async start(options: { workspaces: string[] }): Promise<FakeAzureCloud> {
    const tls = selfSignedCert();
    const certDir = mkdtempSync(join(tmpdir(), 'fake-azure-'));
    writeFileSync(join(certDir, 'ca.pem'), tls.cert);
    writeFileSync(join(certDir, 'key.pem'), tls.key);
    const identity = await FakeManagedIdentity.start();
    const [arm, metrics, mlflow, datastore, eventGrid, workspaceStore] = await Promise.all([
      ArmMlFake.start(tls),
      FakeMonitorMetrics.start(tls),
      FakeMlflow.start(tls),
      startAzurite(),
      // The topic accepts only tokens the app's identity was issued.
      FakeEventGridTopic.start(tls, { bearer: (token) => identity.issued.includes(token) }),
      // The workspaces' storage account, read by the app with its identity (HTTPS: bearer tokens need TLS).
      startAzurite({ https: { certPath: join(certDir, 'ca.pem'), keyPath: join(certDir, 'key.pem') }, oauth: 'basic' }),
    ]);
    const collector = new FakeDataCollector(arm, `https://127.0.0.1:${workspaceStore.ports.blob}/${DEV_ACCOUNT}/`, tls.cert);
    arm.addRoute((await codeRoutes(datastore.ports.blob)).route);
    // Azure provisions a deployment whether or not anyone polls its operation (a raw PUT does not).
    arm.deploymentProvisioningMs = 1000;
    for (const path of options.workspaces) {
      arm.setWorkspace(path, { mlFlowTrackingUri: mlflow.trackingUri(path), ...collector.registerWorkspace(path) });
      // What infra/main.json registers: the app's storage (an Azurite: devstoreaccount1), artifacts container, no credentials.
      arm.dataAccess.seedDatastore(path, 'autopilot_artifacts', { accountName: 'devstoreaccount1', containerName: 'autopilot-artifacts' });
    }
    // The app's managed identity holds Storage Blob Data Owner on its account (infra/main.json).
    arm.dataAccess.grantBlobRead('devstoreaccount1', 'submitter');
    arm.progressJobs({
      // What a training script logs with mlflow.log_metric before it ends.
      onCompleted: (workspacePath, job) =>
        mlflow.logMetrics(workspacePath.split('/').pop()!, job, [
          { key: 'train_auc', value: 0.84, timestamp: Date.now(), step: 0 },
          { key: 'iterations', value: 40, timestamp: Date.now(), step: 0 },
        ]),
    });
    arm.scoring.onScore((call, view) => {
      const minute = new Date(Math.floor(call.at / MINUTE) * MINUTE).toISOString();
      const statusCodeClass = `${Math.floor(call.status / 100)}xx`;
      const dimensions = {
        deployment: call.deployment!,
        statusCode: String(call.status),
        statusCodeClass,
        modelStatusCode: String(call.status),
      };
      metrics.accumulate(view.id, 'RequestsPerMinute', minute, dimensions, 1);
      for (const percentile of ['RequestLatency_P50', 'RequestLatency_P99']) {
        if (!metrics.hasPoint(view.id, percentile, minute, { deployment: call.deployment! })) {
          metrics.addPoints(view.id, percentile, [
            { timeStamp: minute, dimensions: { deployment: call.deployment! }, value: FAKE_LATENCY_MS },
          ]);
        }
      }
    });
    return new FakeAzureCloud(arm, metrics, identity, mlflow, eventGrid, collector, [datastore, workspaceStore], certDir);
  }

  /** App settings that point the real SDKs at this cloud (plus trust for its certificate). */
  get env(): Record<string, string> {
    return {
      AUTOPILOT_ARM_ENDPOINT: this.arm.url,
      AUTOPILOT_METRICS_ENDPOINT: this.metrics.url,
      AUTOPILOT_EVENTGRID_ENDPOINT: this.eventGrid.endpoint,
      NODE_EXTRA_CA_CERTS: join(this.certDir, 'ca.pem'),
      ...this.identity.env,
    };
  }

  /** A caller of an online endpoint: POSTs `body` to its scoring URI with the endpoint key. */
  score(scoringUri: string, endpoint: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        scoringUri,
        {
          method: 'POST',
          ca: readFileSync(join(this.certDir, 'ca.pem'), 'utf8'),
          headers: {
            authorization: `Bearer ${this.arm.scoring.keyFor(endpoint)}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async stop(): Promise<void> {
    await Promise.all([
      this.arm.stop(),
      this.metrics.stop(),
      this.identity.stop(),
      this.mlflow.stop(),
      this.eventGrid.stop(),
      ...this.stores.map((s) => s.stop()),
    ]);
    rmSync(this.certDir, { recursive: true, force: true });
  }
}
