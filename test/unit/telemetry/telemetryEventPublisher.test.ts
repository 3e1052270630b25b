import type { EventPublisher, OutgoingEvent } from '../../../shared/ports';
import { SpanStatusCode } from '@opentelemetry/api';
import { withEventTelemetry } from '../../../adapters/telemetry';
import { otelTestKit } from './otelTestKit';
import { releaseEvent as releaseEventOf } from '../../../shared/release/releaseEvents';
import { Release } from '../../../shared/release/types';

const RELEASE = 'churn-20250301-100000-abc123';

function releaseEvent(type: string, data: Record<string, unknown>, time = '2025-03-01T10:30:00.000Z'): OutgoingEvent {
  return {
    id: `${RELEASE}:${type}`,
    type: `autopilot.${type}`,
    source: '/autopilot/pipelines/churn',
    subject: `releases/${RELEASE}`,
    time,
    data: { releaseId: RELEASE, pipeline: 'churn', ...data },
  };
}

class RecordingPublisher implements EventPublisher {
  readonly batches: OutgoingEvent[][] = [];
  failNext?: Error;
  async publish(events: OutgoingEvent[]): Promise<void> {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    this.batches.push(events);
  }
}

describe('withEventTelemetry', () => {
  let kit: ReturnType<typeof otelTestKit>;
  let inner: RecordingPublisher;
  let events: EventPublisher;
  beforeEach(() => {
    kit = otelTestKit();
    inner = new RecordingPublisher();
    events = withEventTelemetry(inner, { meter: kit.meter, tracer: kit.tracer });
  });
  afterEach(() => kit.stop());

  it('counts a completed stage as a succeeded outcome of that stage, by pipeline', async () => {
    await events.publish([releaseEvent('ReleaseStageCompleted', { status: 'running', stage: 'evaluate', completedStage: 'train' })]);
    await events.publish([releaseEvent('ReleaseStageCompleted', { status: 'running', stage: 'register', completedStage: 'evaluate' })]);
    expect(await kit.points('autopilot.stage.outcomes')).toEqual([
      { attributes: { pipeline: 'churn', stage: 'train', outcome: 'succeeded' }, value: 1 },
      { attributes: { pipeline: 'churn', stage: 'evaluate', outcome: 'succeeded' }, value: 1 },
    ]);
    expect(await kit.points('autopilot.release.duration')).toEqual([]);
  });

  it('records the release duration in seconds from the createdAt the release events carry, by outcome', async () => {
    const createdAt = '2025-03-01T10:00:00.000Z';
    await events.publish([
      releaseEvent('ReleaseSucceeded', { status: 'succeeded', stage: 'promote', createdAt }, '2025-03-01T11:00:00.000Z'),
    ]);
    await events.publish([
      releaseEvent('ReleaseRejected', { status: 'rejected', stage: 'evaluate', createdAt }, '2025-03-01T10:05:00.000Z'),
    ]);
    const durations = await kit.points('autopilot.release.duration');
    expect(durations.map((p) => [p.attributes, (p.value as { sum: number }).sum])).toEqual([
      [{ pipeline: 'churn', outcome: 'succeeded' }, 3600],
      [{ pipeline: 'churn', outcome: 'rejected' }, 300],
    ]);
    expect(await kit.points('autopilot.stage.outcomes')).toEqual([
      { attributes: { pipeline: 'churn', stage: 'promote', outcome: 'succeeded' }, value: 1 },
      { attributes: { pipeline: 'churn', stage: 'evaluate', outcome: 'rejected' }, value: 1 },
    ]);
  });

  it("times a release from the events the core publishes: each carries the release's createdAt", async () => {
    const release = Release.parse({
      id: 'churn-20250301-100000-abc123',
      pipeline: 'churn',
      status: 'succeeded',
      stage: 'promote',
      trigger: { kind: 'blob' },
      createdAt: '2025-03-01T10:00:00.500Z',
      updatedAt: '2025-03-01T10:45:00.000Z',
    });
    const event = releaseEventOf('ReleaseSucceeded', release, new Date('2025-03-01T10:45:00.000Z'));
    expect(event.data.createdAt).toBe('2025-03-01T10:00:00.500Z');
    await events.publish([event]);
    const [point] = await kit.points('autopilot.release.duration');
    expect((point!.value as { sum: number }).sum).toBe(2699.5);
  });

  it('records no duration for an event without a readable createdAt (the release id is not parsed), but still counts the outcome', async () => {
    await events.publish([releaseEvent('ReleaseFailed', { status: 'failed', stage: 'train' })]);
    await events.publish([releaseEvent('ReleaseFailed', { status: 'failed', stage: 'train', createdAt: 'yesterday' })]);
    expect(await kit.points('autopilot.release.duration')).toEqual([]);
    expect(await kit.points('autopilot.stage.outcomes')).toEqual([
      { attributes: { pipeline: 'churn', stage: 'train', outcome: 'failed' }, value: 2 },
    ]);
  });

  it('counts rollbacks by pipeline and reason: canary analysis, an Azure Monitor alert, or a person', async () => {
    await events.publish([releaseEvent('ReleaseRolledBack', { status: 'rolled_back', stage: 'canary' })]);
    await events.publish([
      releaseEvent('ReleaseRolledBack', { status: 'rolled_back', stage: 'canary', by: 'azure-monitor:latency-high', why: 'alert fired' }),
    ]);
    await events.publish([
      releaseEvent('ReleaseRolledBack', { status: 'rolled_back', stage: 'canary', by: 'alice@contoso.com', why: 'looks wrong' }),
    ]);
    expect(await kit.points('autopilot.rollbacks')).toEqual([
      { attributes: { pipeline: 'churn', reason: 'canary-analysis', phase: 'canary' }, value: 1 },
      { attributes: { pipeline: 'churn', reason: 'alert', phase: 'canary' }, value: 1 },
      { attributes: { pipeline: 'churn', reason: 'manual', phase: 'canary' }, value: 1 },
    ]);
    expect(await kit.points('autopilot.stage.outcomes')).toEqual([
      { attributes: { pipeline: 'churn', stage: 'canary', outcome: 'rolled_back' }, value: 3 },
    ]);
  });

  it('counts a rollback after promotion without a second stage outcome or release duration', async () => {
    await events.publish([releaseEvent('ReleaseRolledBack', { status: 'rolled_back', stage: 'promote', by: 'bob', why: 'bad day' })]);
    expect(await kit.points('autopilot.rollbacks')).toEqual([
      { attributes: { pipeline: 'churn', reason: 'manual', phase: 'after-promotion' }, value: 1 },
    ]);
    expect(await kit.points('autopilot.stage.outcomes')).toEqual([]);
    expect(await kit.points('autopilot.release.duration')).toEqual([]);
  });

  it('records every drift score the monitor compared, drifted or not, by pipeline, feature and metric, and counts the detection', async () => {
    await events.publish([
      {
        id: 'm1:drift',
        type: 'autopilot.DriftDetected',
        source: '/autopilot/pipelines/churn',
        subject: 'monitors/m1',
        time: '2025-03-01T10:00:00.000Z',
        data: {
          pipeline: 'churn',
          endpoint: 'churn-prod',
          reasons: ['feature tenure: PSI 0.42 > 0.2'],
          features: [
            { feature: 'tenure', role: 'feature', metric: 'psi', value: 0.42, threshold: 0.2, drifted: true },
            { feature: 'tenure', role: 'feature', metric: 'ks', value: 0.03, pValue: 0.4, threshold: 0.005, drifted: false },
            { feature: 'plan', role: 'feature', metric: 'chi2', value: 3.1, pValue: 0.2, threshold: 0.005, drifted: false },
            { feature: 'label', role: 'prediction', metric: 'jensen_shannon', value: 0.04, threshold: 0.1, drifted: false },
            { feature: 'broken', metric: 'psi', value: 'high', drifted: true },
          ],
        },
      },
    ]);
    await events.publish([
      {
        id: 'm2:drift',
        type: 'autopilot.DriftDetected',
        source: '/autopilot/pipelines/churn',
        subject: 'monitors/m2',
        time: '2025-03-01T10:00:00.000Z',
        data: { pipeline: 'churn', endpoint: 'churn-prod', reasons: ['azure-ml: dataset drift'], external: 'azure-ml' },
      },
    ]);
    const scores = (await kit.points('autopilot.drift.score')).map((p) => [p.attributes, (p.value as { sum: number }).sum]);
    expect(scores).toEqual([
      [{ pipeline: 'churn', feature: 'tenure', metric: 'psi', drifted: 'true' }, 0.42],
      [{ pipeline: 'churn', feature: 'tenure', metric: 'ks', drifted: 'false' }, 0.03],
      [{ pipeline: 'churn', feature: 'plan', metric: 'chi2', drifted: 'false' }, 3.1],
      [{ pipeline: 'churn', feature: 'label', metric: 'jensen_shannon', drifted: 'false' }, 0.04],
    ]);
    expect(await kit.points('autopilot.drift.detections')).toEqual([
      { attributes: { pipeline: 'churn', source: 'monitor' }, value: 1 },
      { attributes: { pipeline: 'churn', source: 'external' }, value: 1 },
    ]);
  });

  it('forwards every event unchanged in one call and gives each a publish span with ids and names only', async () => {
    const batch = [
      releaseEvent('ReleaseQueued', {
        status: 'queued',
        stage: 'validate',
        reason: 'blob https://acct.blob.core.windows.net/c/x.csv?sig=SECRET',
      }),
      releaseEvent('ApprovalRequested', { status: 'running', stage: 'approval', timeoutMinutes: 60 }),
    ];
    const copy = structuredClone(batch);
    await events.publish(batch);
    expect(inner.batches).toEqual([copy]);
    expect(inner.batches[0]![0]).toBe(batch[0]);
    const spans = kit.spans.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['publish autopilot.ReleaseQueued', 'publish autopilot.ApprovalRequested']);
    expect(spans[0]!.attributes).toEqual({
      'autopilot.event.type': 'autopilot.ReleaseQueued',
      'autopilot.event.id': `${RELEASE}:ReleaseQueued`,
      'autopilot.event.subject': `releases/${RELEASE}`,
      releaseId: RELEASE,
      pipeline: 'churn',
      stage: 'validate',
    });
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain('SECRET');
  });

  it('lets a failing publish fail: the error reaches the caller, the span is failed and nothing is measured, so a retry counts once', async () => {
    inner.failNext = new Error('Event Grid answered 503');
    const event = releaseEvent('ReleaseStageCompleted', { status: 'running', stage: 'evaluate', completedStage: 'train' });
    await expect(events.publish([event])).rejects.toThrow('Event Grid answered 503');
    expect(kit.spans.getFinishedSpans()[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Event Grid answered 503' });
    expect(await kit.points('autopilot.stage.outcomes')).toEqual([]);
    await events.publish([event]);
    expect(await kit.points('autopilot.stage.outcomes')).toEqual([
      { attributes: { pipeline: 'churn', stage: 'train', outcome: 'succeeded' }, value: 1 },
    ]);
  });

  it('forwards events it has no metric for, or whose data is not as expected, and measures nothing', async () => {
    await events.publish([
      {
        id: 'a1',
        type: 'autopilot.AlertReceived',
        source: '/autopilot/alerts',
        subject: 'endpoints/churn-prod',
        time: '2025-03-01T10:00:00.000Z',
        data: { rule: 'latency' },
      },
      {
        id: 'x',
        type: 'autopilot.ReleaseSucceeded',
        source: '/autopilot/pipelines/churn',
        subject: 'releases/x',
        time: 'not a time',
        data: { pipeline: 42 },
      },
    ]);
    expect(inner.batches).toHaveLength(1);
    expect(await kit.points('autopilot.stage.outcomes')).toEqual([]);
    expect(kit.spans.getFinishedSpans()).toHaveLength(2);
  });
});
