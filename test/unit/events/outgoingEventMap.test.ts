import { outgoingEvent, parseOutgoingEvent, type EventAttributes, type OutgoingEvent } from '../../../shared/events/outgoing';
import type { EventPublisher } from '../../../shared/ports';
import { releaseEvent } from '../../../shared/release/releaseEvents';
import { Release } from '../../../shared/release/types';
import { alertReceivedEvent } from '../../../shared/alerts/reactToAlert';
import { parseCommonAlert } from '../../../shared/events/commonAlert';

const attributes: EventAttributes = {
  id: 'e1',
  source: '/autopilot/pipelines/churn',
  subject: 'monitors/m1',
  time: '2025-03-01T10:00:00.000Z',
};
const release = Release.parse({
  id: 'churn-1',
  pipeline: 'churn',
  status: 'running',
  stage: 'approval',
  trigger: { kind: 'blob' },
  createdAt: '2025-03-01T10:00:00.000Z',
  updatedAt: '2025-03-01T10:05:00.000Z',
});
const now = new Date('2025-03-01T10:06:00.000Z');

/** Records what it was given: the type errors below are the point, the calls only show what would have gone out. */
class RecordingPublisher implements EventPublisher {
  readonly published: OutgoingEvent[] = [];
  async publish(events: OutgoingEvent[]): Promise<void> {
    this.published.push(...events);
  }
}

describe('the outgoing event map', () => {
  it('refuses, at compile time, a producer publishing a payload that does not fit its type; at run time the map refuses it too', async () => {
    const events = new RecordingPublisher();
    const quality = { pipeline: 'churn', endpoint: 'churn-prod', outcome: 'data-quality' as const, reasons: [] };
    const wrong = [
      // @ts-expect-error DriftDetected needs `endpoint` and `outcome`
      outgoingEvent('autopilot.DriftDetected', attributes, { pipeline: 'churn', reasons: [] }),
      // @ts-expect-error `rows` is a number
      outgoingEvent('autopilot.QualityDegraded', attributes, { ...quality, rows: '10' }),
      // @ts-expect-error ApprovalRequested says how long the approval waits
      releaseEvent('ApprovalRequested', release, now),
      // @ts-expect-error ReleaseStageCompleted says which stage completed, as a stage name
      releaseEvent('ReleaseStageCompleted', release, now, { completedStage: 'training' }),
    ];
    await events.publish(wrong);
    await events.publish([
      // @ts-expect-error a hand-built event must have a type of the map
      { ...attributes, type: 'autopilot.SomethingNew', data: {} },
      // @ts-expect-error and its type's payload
      { ...attributes, type: 'autopilot.ReleaseQueued', data: { releaseId: 'r1', pipeline: 42 } },
    ]);
    expect(events.published.map((e) => parseOutgoingEvent(e).ok)).toEqual([false, false, false, false, false, false]);
  });

  it('accepts what the producers build: each fits the map after a round trip through JSON', () => {
    const alert = parseCommonAlert({
      schemaId: 'azureMonitorCommonAlertSchema',
      data: {
        essentials: {
          alertId: '/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/a1',
          alertRule: 'latency',
          severity: 'Sev2',
          signalType: 'Metric',
          monitorCondition: 'Fired',
          monitoringService: 'Platform',
          alertTargetIDs: [],
          configurationItems: [],
          firedDateTime: '2025-03-01T10:00:00.000Z',
        },
      },
    });
    const produced: OutgoingEvent[] = [
      releaseEvent('ReleaseQueued', { ...release, status: 'queued', stage: 'validate' }, now),
      releaseEvent('ApprovalRequested', release, now, { timeoutMinutes: 60 }),
      releaseEvent('ReleaseStageCompleted', release, now, { completedStage: 'deploy_staging' }),
      releaseEvent('ReleaseRolledBack', { ...release, status: 'rolled_back', stage: 'canary' }, now, { by: 'alice', why: 'errors' }),
      releaseEvent('ReleaseCancelled', { ...release, status: 'cancelled' }, now, { repairedBy: 'bob' }),
      alertReceivedEvent(alert, ['churn-prod'], now),
    ];
    for (const event of produced) {
      const parsed = parseOutgoingEvent(JSON.parse(JSON.stringify(event)));
      expect(parsed).toEqual({ ok: true, event: JSON.parse(JSON.stringify(event)) });
    }
  });
});
