import { parseConfig } from '../../../shared/config/parseConfig';
import type { AutopilotConfig } from '../../../shared/config/schema';
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

export function releaseEvent(name: string, overrides: Partial<OutgoingEvent['data']> = {}, stage = 'canary'): OutgoingEvent {
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
      ...overrides,
    },
  };
}

export function driftEvent(run: string, reasons = ['feature tenure: PSI 0.41 > 0.2']): OutgoingEvent {
  return {
    id: `${run}:drift`,
    type: 'autopilot.DriftDetected',
    source: '/autopilot/pipelines/default',
    subject: `monitors/${run}`,
    time: '2026-12-04T09:00:00.000Z',
    data: { pipeline: 'default', endpoint: 'default-prod', outcome: 'drift', reasons, model: { name: 'default', version: 7 }, rows: 1500 },
  };
}
