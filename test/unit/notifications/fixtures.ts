import { parseConfig } from '../../../shared/config/parseConfig';
import type { AutopilotConfig } from '../../../shared/config/schema';
import { parseOutgoingEvent, type EventEnvelope } from '../../../shared/events/outgoing';
import type { OutgoingEvent } from '../../../shared/ports';

/** A pipeline `default` with the given `notifications:` YAML (indented under the pipeline). */
export function configWith(notifications: string): AutopilotConfig {
  return parseConfig(`version: 1
pipelines:
  default:
    data: { prefix: default/ }
    training: { job: /specs/job.yaml }
    deployment: { spec: /specs/deployment.yaml }
    notifications:
${notifications.replace(/^/gm, '      ')}
`);
}

export const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

/** A release event as a delivery job holds it (any data: formatters must cope); `published` checks it against the event map. */
export function releaseEvent(name: string, overrides: Record<string, unknown> = {}, stage = 'canary'): EventEnvelope {
  return {
    id: `r-20261204-1:${name}:${stage}`,
    type: `autopilot.${name}`,
    source: '/autopilot/pipelines/default',
    subject: 'releases/r-20261204-1',
    time: '2026-12-04T09:00:00.000Z',
    data: {
      releaseId: 'r-20261204-1',
      pipeline: 'default',
      status: 'running',
      stage,
      model: { name: 'default', version: 7 },
      reason: 'new data default/a.csv',
      createdAt: '2026-12-04T08:00:00.000Z',
      ...overrides,
    },
  };
}

export function driftEvent(run: string, reasons = ['feature tenure: PSI 0.41 > 0.2']): EventEnvelope {
  return {
    id: `${run}:drift`,
    type: 'autopilot.DriftDetected',
    source: '/autopilot/pipelines/default',
    subject: `monitors/${run}`,
    time: '2026-12-04T09:00:00.000Z',
    data: { pipeline: 'default', endpoint: 'default-prod', outcome: 'drift', reasons, model: { name: 'default', version: 7 }, rows: 1500 },
  };
}

/** The fixture as producers publish it: it must fit the event map (shared/events/outgoing.ts). */
export function published(envelope: EventEnvelope): OutgoingEvent {
  const parsed = parseOutgoingEvent(envelope);
  if (!parsed.ok) throw new Error(`fixture ${envelope.id} does not fit the event map: ${parsed.problem}`);
  return parsed.event;
}
