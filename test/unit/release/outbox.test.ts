import type { StageOutcome } from '../../../shared/release/context';
import { releaseEvent } from '../../../shared/release/releaseEvents';
import { buildOutbox, hasOutbox, outcomeOutbox, withOutbox } from '../../../shared/release/outbox';
import { applyOutcome } from '../../../shared/release/transitions';
import type { Release } from '../../../shared/release/types';

const now = new Date('2026-11-28T10:00:00Z');
const running: Release = {
  id: 'default-20261128-100000-abcdef',
  pipeline: 'default',
  status: 'running',
  stage: 'validate',
  trigger: { kind: 'manual' },
  metrics: {},
  deployments: {},
  stages: { validate: { status: 'running', attempts: 0 } },
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
};

describe('outcomeOutbox', () => {
  it('audits and announces an advance, then sends the next stage', () => {
    const after = applyOutcome(running, { kind: 'advance', detail: '60 rows' }, now, 120);
    const parts = outcomeOutbox(running, after, { kind: 'advance', detail: '60 rows' }, now);
    expect(parts.audit).toEqual([
      expect.objectContaining({
        action: 'complete validate',
        from: { status: 'running', stage: 'validate' },
        to: { status: 'running', stage: 'train' },
        why: '60 rows',
      }),
    ]);
    expect(
      parts.events?.map((e) => [e.id, e.type, e.type === 'autopilot.ReleaseStageCompleted' ? e.data.completedStage : undefined]),
    ).toEqual([[`${running.id}:ReleaseStageCompleted:train`, 'autopilot.ReleaseStageCompleted', 'validate']]);
    expect(parts.steps).toEqual([{ message: { releaseId: running.id, pipeline: 'default', stage: 'train', reason: 'advance' } }]);
    expect(parts.releaseSlot).toBeUndefined();
  });

  it('frees the slot instead of sending a step when the release ended', () => {
    const outcome = { kind: 'end', status: 'rejected', reason: 'no label column' } as const;
    const parts = outcomeOutbox(running, applyOutcome(running, outcome, now, 120), outcome, now);
    expect(parts).toMatchObject({ releaseSlot: true, audit: [{ action: 'end at validate', why: 'no label column' }] });
    expect(parts.events?.map((e) => e.type)).toEqual(['autopilot.ReleaseRejected']);
    expect(parts.steps).toBeUndefined();
  });

  it('polls again after a wait, audits nothing and publishes only what the handler asked', () => {
    const asked = releaseEvent('ApprovalRequested', running, now, { timeoutMinutes: 30 });
    const outcome: StageOutcome = { kind: 'wait', delaySeconds: 30, events: [asked] };
    const parts = outcomeOutbox(running, applyOutcome(running, outcome, now, 120), outcome, now);
    expect(parts).toEqual({
      events: [asked],
      steps: [{ message: expect.objectContaining({ stage: 'validate', reason: 'poll' }), delaySeconds: 30 }],
    });
  });
});

describe('withOutbox', () => {
  it('gives the same effects the same id, and different effects another', () => {
    const a = buildOutbox({ releaseSlot: true });
    expect(buildOutbox({ releaseSlot: true }).id).toBe(a.id);
    expect(buildOutbox({ releaseSlot: true, steps: [], events: [] }).id).toBe(a.id);
    expect(buildOutbox({ restoreStable: true }).id).not.toBe(a.id);
  });

  it('keeps a pending outbox (and its audit keys) when a later write adds to it', () => {
    const pendingRelease = withOutbox(running, {
      audit: [{ at: now.toISOString(), releaseId: running.id, actor: 'autopilot', action: 'start' }],
      steps: [{ message: { releaseId: running.id, pipeline: 'default', stage: 'validate', reason: 'start' } }],
    });
    const stored: Release = {
      ...pendingRelease,
      outbox: { ...pendingRelease.outbox!, audit: pendingRelease.outbox!.audit.map((a) => ({ ...a, key: 'k1' })) },
    };
    const event = releaseEvent('ReleaseCancelled', running, now);
    const merged = withOutbox(stored, {
      audit: [{ at: now.toISOString(), releaseId: running.id, actor: 'eli', action: 'cancel' }],
      events: [event, event],
      releaseSlot: true,
    });
    expect(merged.outbox!.audit.map((a) => [a.key, a.entry.action])).toEqual([
      ['k1', 'start'],
      [undefined, 'cancel'],
    ]);
    expect(merged.outbox!.events).toEqual([event]);
    expect(merged.outbox!.steps).toHaveLength(1);
    expect(merged.outbox!.releaseSlot).toBe(true);
    expect(merged.outbox!.id).not.toBe(stored.outbox!.id);
  });

  it('counts an outbox with nothing in it as none', () => {
    expect(hasOutbox(running)).toBe(false);
    expect(hasOutbox(withOutbox(running, {}))).toBe(false);
    expect(hasOutbox(withOutbox(running, { releaseSlot: true }))).toBe(true);
  });
});
