import { salvageRecord } from '../../../shared/release/salvage';
import { Release } from '../../../shared/release/types';

const NOW = '2026-11-28T10:00:00.000Z';
const base = {
  id: 'default-20261128-094000-aaaaaa',
  pipeline: 'default',
  status: 'running',
  stage: 'canary',
  trigger: { kind: 'blob' },
  metrics: {},
  deployments: {},
  stages: {},
  createdAt: '2026-11-28T09:40:00.000Z',
  updatedAt: '2026-11-28T09:41:00.000Z',
};

describe('salvageRecord', () => {
  it('drops only the values the schema refuses and keeps their siblings', () => {
    const raw = {
      ...base,
      metrics: { candidate: { accuracy: null, auc: 0.8 } },
      canary: { stepIndex: 1, stepStartedAt: NOW, reasons: ['ok', 7, 'late'] },
    };
    const release = salvageRecord(raw, base.id, NOW);
    expect(release.metrics).toEqual({ candidate: { auc: 0.8 } });
    expect(release.canary).toEqual({ stepIndex: 1, stepStartedAt: NOW, reasons: ['ok', 'late'], looks: [] });
    expect(release).toMatchObject({ id: base.id, pipeline: 'default', status: 'running', stage: 'canary', createdAt: base.createdAt });
  });

  it('removes an object whose required field is broken, since removing the field alone does not help', () => {
    const raw = { ...base, gate: { passed: true, metric: 42, candidate: 0.8, reason: 'fine' }, job: { name: 'j', status: 'completed' } };
    const release = salvageRecord(raw, base.id, NOW);
    expect(release.gate).toBeUndefined();
    expect(release.job).toEqual({ name: 'j', status: 'completed' });
  });

  it('stands in for broken required top-level fields: pipeline from the id, stage validate, a manual trigger, now', () => {
    const release = salvageRecord({ id: 5, status: 'exploded', stage: 'nowhere', createdAt: 3 }, base.id, NOW);
    expect(release).toMatchObject({
      id: base.id,
      pipeline: 'default',
      status: 'failed',
      stage: 'validate',
      createdAt: NOW,
      updatedAt: NOW,
      trigger: { kind: 'manual', note: 'trigger lost; record repaired' },
    });
  });

  it('salvages even a value that is not an object, and never returns something that does not parse', () => {
    const release = salvageRecord('garbage', 'other-20261128-094000-cccccc', NOW);
    expect(release).toMatchObject({ pipeline: 'other', status: 'failed' });
    expect(Release.safeParse(JSON.parse(JSON.stringify(release))).success).toBe(true);
  });
});
