import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArmMlFake } from '../armMl/ArmMlFake';
import { FakeMonitorMetrics } from '../armMl/FakeMonitorMetrics';
import { selfSignedCert } from '../armMl/selfSignedCert';
import { FakeManagedIdentity } from './FakeManagedIdentity';

const MINUTE = 60_000;
/** The fake scores in about a millisecond; Monitor reports whole milliseconds per minute. */
const FAKE_LATENCY_MS = 4;

/**
 * The Azure a function app talks to, on localhost: ARM for the ML workspaces (jobs move
 * along by themselves), the endpoints' scoring plane, Azure Monitor metrics fed by every
 * answered scoring call (minute buckets per deployment and status class, as the service
 * emits them) and the managed-identity endpoint. `env` is what a child stack needs.
 */
export class FakeAzureCloud {
  private constructor(
    readonly arm: ArmMlFake,
    readonly metrics: FakeMonitorMetrics,
    readonly identity: FakeManagedIdentity,
    private readonly certDir: string,
  ) {}

  static async start(): Promise<FakeAzureCloud> {
    const tls = selfSignedCert();
    const certDir = mkdtempSync(join(tmpdir(), 'fake-azure-'));
    writeFileSync(join(certDir, 'ca.pem'), tls.cert);
    const [arm, metrics, identity] = await Promise.all([ArmMlFake.start(tls), FakeMonitorMetrics.start(tls), FakeManagedIdentity.start()]);
    arm.progressJobs();
    arm.scoring.onScore((call, view) => {
      const minute = new Date(Math.floor(call.at / MINUTE) * MINUTE).toISOString();
      const statusCodeClass = `${Math.floor(call.status / 100)}xx`;
      const dimensions = { deployment: call.deployment!, statusCode: String(call.status), statusCodeClass, modelStatusCode: String(call.status) };
      metrics.accumulate(view.id, 'RequestsPerMinute', minute, dimensions, 1);
      for (const percentile of ['RequestLatency_P50', 'RequestLatency_P99']) {
        if (!metrics.hasPoint(view.id, percentile, minute, { deployment: call.deployment! })) {
          metrics.addPoints(view.id, percentile, [{ timeStamp: minute, dimensions: { deployment: call.deployment! }, average: FAKE_LATENCY_MS }]);
        }
      }
    });
    return new FakeAzureCloud(arm, metrics, identity, certDir);
  }

  /** App settings that point the real SDKs at this cloud (plus trust for its certificate). */
  get env(): Record<string, string> {
    return {
      AUTOPILOT_ARM_ENDPOINT: this.arm.url,
      AUTOPILOT_METRICS_ENDPOINT: this.metrics.url,
      NODE_EXTRA_CA_CERTS: join(this.certDir, 'ca.pem'),
      ...this.identity.env,
    };
  }

  async stop(): Promise<void> {
    await Promise.all([this.arm.stop(), this.metrics.stop(), this.identity.stop()]);
    rmSync(this.certDir, { recursive: true, force: true });
  }
}
