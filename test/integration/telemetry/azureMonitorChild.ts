/**
 * Run by azureMonitor.test.ts in its own process (`node --import tsx`), because the Azure
 * Monitor distro takes over OTel's process-global providers and patches modules. Starts
 * telemetry from the environment, logs and publishes inside an invocation scope exactly
 * as functions/releaseSteps.ts does, flushes, and prints what the inner publisher got.
 */
import { InvocationContext } from '@azure/functions';
import type { OutgoingEvent } from '../../../shared/ports';
import { telemetrySettingsFrom } from '../../../adapters/settings';
import { startTelemetry, telemetryLogger, withEventTelemetry, withInvocation, withSpan } from '../../../adapters/telemetry';

async function main(): Promise<void> {
  const telemetry = startTelemetry(telemetrySettingsFrom(process.env), {
    azureMonitor: {
      enableLiveMetrics: false,
      enablePerformanceCounters: false,
      enableStandardMetrics: false,
      azureMonitorExporterOptions: { disableOfflineStorage: true },
    },
  });
  const forwarded: OutgoingEvent[][] = [];
  const events = withEventTelemetry({ publish: async (batch) => void forwarded.push(batch) });
  const logger = telemetryLogger('autopilot', { fallback: { info: () => {}, warn: () => {}, error: () => {} } });
  const hostLines: string[] = [];
  const context = new InvocationContext({
    functionName: 'releaseSteps',
    invocationId: 'inv-1',
    logHandler: (_level, ...args) => void hostLines.push(args.join(' ')),
  });
  const releaseId = process.env.TEST_RELEASE_ID!;
  const secret = process.env.TEST_SECRET!;
  const base = { source: '/autopilot/pipelines/churn', subject: `releases/${releaseId}`, time: '2025-03-01T10:30:00.000Z' };
  await withInvocation(context, { releaseId, pipeline: 'churn', stage: 'canary' }, () =>
    withSpan('release.step', {}, async () => {
      logger.info('canary verdict: rollback', { storageConnection: `DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${secret}` });
      await events.publish([
        {
          ...base,
          id: 'e1',
          type: 'autopilot.ReleaseStageCompleted',
          data: {
            releaseId,
            pipeline: 'churn',
            status: 'running',
            stage: 'canary',
            completedStage: 'approval',
            createdAt: '2025-03-01T10:00:00.000Z',
            reason: `AccountKey=${secret}`,
          },
        },
      ]);
      await events.publish([
        {
          ...base,
          id: 'e2',
          type: 'autopilot.ReleaseRolledBack',
          data: {
            releaseId,
            pipeline: 'churn',
            status: 'rolled_back',
            stage: 'canary',
            createdAt: '2025-03-01T10:00:00.000Z',
            reason: `canary failed; blob https://x.blob.core.windows.net/c/b?sv=1&sig=${secret}`,
          },
        },
      ]);
      await events.publish([
        {
          ...base,
          id: 'e3',
          type: 'autopilot.DriftDetected',
          subject: 'monitors/m1',
          data: {
            pipeline: 'churn',
            endpoint: 'churn-prod',
            outcome: 'drift',
            reasons: ['feature tenure: PSI 0.42 > 0.2'],
            features: [
              { feature: 'tenure', role: 'feature', metric: 'psi', value: 0.42, threshold: 0.2, drifted: true },
              { feature: 'tenure', role: 'feature', metric: 'ks', value: 0.05, pValue: 0.3, threshold: 0.01, drifted: false },
            ],
          },
        },
      ]);
    }),
  );
  await telemetry.flush();
  await telemetry.shutdown();
  process.stdout.write(`${JSON.stringify({ forwarded, hostLines, mode: telemetry.mode })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
