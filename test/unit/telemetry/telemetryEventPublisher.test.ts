import type { EventPublisher, OutgoingEvent } from '../../../shared/ports';
import { SpanStatusCode } from '@opentelemetry/api';
import { METRIC_NAMES, withEventTelemetry } from '../../../adapters/telemetry';
import type { InstrumentKey } from '../../../adapters/telemetry/eventMeasurements';
import { OUTGOING_EVENT_TYPES, parseOutgoingEvent, type OutgoingEventData, type OutgoingEventType } from '../../../shared/events/outgoing';
import { anEvent, releasePayload } from '../../fakes/outgoingEvents';
import { otelTestKit } from './otelTestKit';
import { releaseEvent as releaseEventOf } from '../../../shared/release/releaseEvents';
import { Release } from '../../../shared/release/types';

const RELEASE = 'churn-20250301-100000-abc123';

/** A release event as the core publishes it; the fixture must fit the event map (a misfit throws here, not in the code under test). */
function releaseEvent(type: string, data: Record<string, unknown>, time = '2025-03-01T10:30:00.000Z'): OutgoingEvent {
  const envelope = {
    id: `${RELEASE}:${type}`,
    type: `autopilot.${type}`,
    source: '/autopilot/pipelines/churn',
    subject: `releases/${RELEASE}`,
    time,
    data: { releaseId: RELEASE, pipeline: 'churn', createdAt: '2025-03-01T10:00:00.000Z', ...data },
  };
  const parsed = parseOutgoingEvent(envelope);
  if (!parsed.ok) throw new Error(`fixture ${envelope.id}: ${parsed.problem}`);
  return parsed.event;
}

function recordingLogger(): { warn: (message: string) => void; warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (message) => void warnings.push(message) };
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
  let logger: ReturnType<typeof recordingLogger>;
  beforeEach(() => {
    kit = otelTestKit();
    inner = new RecordingPublisher();
    logger = recordingLogger();
    events = withEventTelemetry(inner, { meter: kit.meter, tracer: kit.tracer, logger });
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

  it('records no duration for an event whose createdAt is not a time (the release id is not parsed), but still counts the outcome', async () => {
    await events.publish([releaseEvent('ReleaseFailed', { status: 'failed', stage: 'train', createdAt: 'yesterday' })]);
    expect(await kit.points('autopilot.release.duration')).toEqual([]);
    expect(await kit.points('autopilot.stage.outcomes')).toEqual([
      { attributes: { pipeline: 'churn', stage: 'train', outcome: 'failed' }, value: 1 },
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
          outcome: 'drift',
          reasons: ['feature tenure: PSI 0.42 > 0.2'],
          features: [
            { feature: 'tenure', role: 'feature', metric: 'psi', value: 0.42, threshold: 0.2, drifted: true },
            { feature: 'tenure', role: 'feature', metric: 'ks', value: 0.03, pValue: 0.4, threshold: 0.005, drifted: false },
            { feature: 'plan', role: 'feature', metric: 'chi2', value: 3.1, pValue: 0.2, threshold: 0.005, drifted: false },
            { feature: 'label', role: 'prediction', metric: 'jensen_shannon', value: 0.04, threshold: 0.1, drifted: false },
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
        data: { pipeline: 'churn', endpoint: 'churn-prod', outcome: 'drift', reasons: ['azure-ml: dataset drift'], external: 'azure-ml' },
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

  it('forwards an event outside the map, or whose data does not fit it, measures nothing and logs which and why', async () => {
    // Only a cast gets such events past the compiler (an old record read back, a foreign producer).
    const misfits = [
      {
        id: 'x',
        type: 'autopilot.ReleaseSucceeded',
        source: '/autopilot/pipelines/churn',
        subject: 'releases/x',
        time: 'not a time',
        data: { pipeline: 42 },
      },
      {
        id: 'm3:drift',
        type: 'autopilot.DriftDetected',
        source: '/autopilot/pipelines/churn',
        subject: 'monitors/m3',
        time: '2025-03-01T10:00:00.000Z',
        data: {
          pipeline: 'churn',
          endpoint: 'churn-prod',
          outcome: 'drift',
          reasons: [],
          features: [{ feature: 'broken', metric: 'psi', value: 'high' }],
        },
      },
      { id: 'n1', type: 'autopilot.SomethingNew', source: '/autopilot', subject: 'x', time: '2025-03-01T10:00:00.000Z', data: {} },
    ] as unknown as OutgoingEvent[];
    await events.publish(misfits);
    expect(inner.batches).toEqual([misfits]);
    expect(kit.spans.getFinishedSpans()).toHaveLength(3);
    expect(await kit.points('autopilot.stage.outcomes')).toEqual([]);
    expect(await kit.points('autopilot.drift.detections')).toEqual([]);
    expect(logger.warnings).toEqual([
      expect.stringMatching(/^telemetry: event x not measured: autopilot\.ReleaseSucceeded data: .*releaseId/),
      expect.stringMatching(/^telemetry: event m3:drift not measured: autopilot\.DriftDetected data: .*features/),
      "telemetry: event n1 not measured: unknown event type 'autopilot.SomethingNew'",
    ]);
  });

  // One valid payload per type; the mapped type makes a new event type fail to compile until it has one here.
  const EXAMPLES: { [T in OutgoingEventType]: OutgoingEventData<T> } = {
    'autopilot.ReleaseQueued': releasePayload({ status: 'queued', stage: 'validate' }),
    'autopilot.ReleaseStageCompleted': { ...releasePayload({ stage: 'evaluate' }), completedStage: 'train' },
    'autopilot.ApprovalRequested': { ...releasePayload({ stage: 'approval' }), timeoutMinutes: 60 },
    'autopilot.ReleaseSucceeded': releasePayload({ status: 'succeeded', stage: 'promote' }),
    'autopilot.ReleaseRejected': releasePayload({ status: 'rejected', stage: 'evaluate' }),
    'autopilot.ReleaseFailed': releasePayload({ status: 'failed', stage: 'train' }),
    'autopilot.ReleaseCancelled': releasePayload({ status: 'cancelled', stage: 'approval' }),
    'autopilot.ReleaseRolledBack': { ...releasePayload({ status: 'rolled_back', stage: 'canary' }), by: 'alice', why: 'looks wrong' },
    'autopilot.DriftDetected': {
      pipeline: 'default',
      endpoint: 'default-prod',
      outcome: 'drift',
      reasons: ['psi'],
      features: [{ feature: 'tenure', role: 'feature', metric: 'psi', value: 0.4, threshold: 0.2, drifted: true }],
    },
    'autopilot.QualityDegraded': { pipeline: 'default', endpoint: 'default-prod', outcome: 'data-quality', reasons: ['nulls'], rows: 10 },
    'autopilot.AlertReceived': {
      alertId: 'a1',
      rule: 'latency',
      condition: 'Fired',
      service: 'Platform',
      firedAt: '2025-03-01T10:00:00.000Z',
      endpoints: ['default-prod'],
    },
  };
  /** What each type stands for in metrics; [] for the types that only get a span. */
  const MEASURED: { [T in OutgoingEventType]: InstrumentKey[] } = {
    'autopilot.ReleaseQueued': [],
    'autopilot.ReleaseStageCompleted': ['stageOutcomes'],
    'autopilot.ApprovalRequested': [],
    'autopilot.ReleaseSucceeded': ['stageOutcomes', 'releaseDuration'],
    'autopilot.ReleaseRejected': ['stageOutcomes', 'releaseDuration'],
    'autopilot.ReleaseFailed': ['stageOutcomes', 'releaseDuration'],
    'autopilot.ReleaseCancelled': ['stageOutcomes', 'releaseDuration'],
    'autopilot.ReleaseRolledBack': ['stageOutcomes', 'releaseDuration', 'rollbacks'],
    'autopilot.DriftDetected': ['driftDetections', 'driftScore'],
    'autopilot.QualityDegraded': [],
    'autopilot.AlertReceived': [],
  };

  it.each(OUTGOING_EVENT_TYPES)('records %s as the event map says, with a span and no warning', async (type) => {
    const event = anEvent(type, EXAMPLES[type]);
    await events.publish([event]);
    expect(kit.spans.getFinishedSpans().map((s) => s.name)).toEqual([`publish ${type}`]);
    expect(logger.warnings).toEqual([]);
    for (const instrument of Object.keys(METRIC_NAMES) as InstrumentKey[]) {
      const points = await kit.points(METRIC_NAMES[instrument]);
      expect([instrument, points.length > 0]).toEqual([instrument, MEASURED[type].includes(instrument)]);
    }
  });
});
