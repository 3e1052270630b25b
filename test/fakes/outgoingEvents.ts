import {
  outgoingEvent,
  type EventAttributes,
  type OutgoingEventData,
  type OutgoingEventOf,
  type OutgoingEventType,
} from '../../shared/events/outgoing';

type ReleasePayload = OutgoingEventData<'autopilot.ReleaseQueued'>;

/** The fields every release event carries, with test defaults; `overrides` wins. */
export function releasePayload(overrides: Partial<ReleasePayload> = {}): ReleasePayload {
  return { releaseId: 'r1', pipeline: 'default', status: 'running', stage: 'train', createdAt: '2025-03-01T10:00:00.000Z', ...overrides };
}

/** An event of the map for tests: attributes default from the type and payload; the payload is typed as producers' are. */
export function anEvent<T extends OutgoingEventType>(
  type: T,
  data: OutgoingEventData<T>,
  attributes: Partial<EventAttributes> = {},
): OutgoingEventOf<T> {
  const releaseId = 'releaseId' in data ? String(data.releaseId) : undefined;
  const pipeline = 'pipeline' in data ? String(data.pipeline) : undefined;
  // Built by the producers' own outgoingEvent; the cast only spreads a union `T` over its members.
  return outgoingEvent(
    type,
    {
      id: `${releaseId ?? 'evt'}:${type}`,
      source: pipeline ? `/autopilot/pipelines/${pipeline}` : '/autopilot/alerts',
      subject: releaseId ? `releases/${releaseId}` : 'monitors/m1',
      time: '2025-03-01T10:30:00.000Z',
      ...attributes,
    },
    data,
  ) as OutgoingEventOf<T>;
}

/** A DriftDetected event whose reasons make it about `bytes` long: for size limits. */
export function bulkyDriftEvent(id: string, bytes: number): OutgoingEventOf<'autopilot.DriftDetected'> {
  return anEvent(
    'autopilot.DriftDetected',
    { pipeline: 'default', endpoint: 'default-prod', outcome: 'drift', reasons: ['x'.repeat(bytes)] },
    { id },
  );
}
