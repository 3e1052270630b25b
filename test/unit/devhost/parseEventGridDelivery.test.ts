import { parseEventGridDelivery } from '../../../devhost/parseEventGridDelivery';
import { BadRequestError } from '../../../shared/errors';

const body = (value: unknown) => Buffer.from(JSON.stringify(value));
const validation = {
  id: '2d1781af-3a4c-4d7c-bd0c-e34b19da4e66',
  topic: '/subscriptions/xx/resourceGroups/yy',
  subject: '',
  data: { validationCode: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' },
  eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
  eventTime: '2018-01-25T22:12:19.4556811Z',
  metadataVersion: '1',
  dataVersion: '1',
};
const event = {
  id: '1',
  eventType: 'Microsoft.Storage.BlobCreated',
  subject: '/blobServices/default/containers/c/blobs/b',
  eventTime: '2024-01-01T00:00:00Z',
  data: {},
};

describe('parseEventGridDelivery', () => {
  it('recognises the subscription validation handshake', () => {
    expect(parseEventGridDelivery({ 'aeg-event-type': 'SubscriptionValidation' }, body([validation]))).toEqual({
      kind: 'validation',
      validationCode: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6',
    });
  });

  it('returns the events of a notification, as sent', () => {
    const parsed = parseEventGridDelivery({ 'aeg-event-type': 'Notification' }, body([event, { ...event, id: '2' }]));
    expect(parsed).toEqual({ kind: 'events', schema: 'EventGridSchema', events: [event, { ...event, id: '2' }] });
  });

  it('accepts single and batched CloudEvents', () => {
    const cloud = { specversion: '1.0', id: 'c1', type: 'Microsoft.Storage.BlobCreated', source: '/subscriptions/x', data: {} };
    expect(parseEventGridDelivery({ 'content-type': 'application/cloudevents+json; charset=utf-8' }, body(cloud))).toMatchObject({
      schema: 'CloudEventSchemaV1_0',
      events: [cloud],
    });
    expect(parseEventGridDelivery({ 'content-type': 'application/cloudevents-batch+json' }, body([cloud, cloud]))).toMatchObject({
      events: [cloud, cloud],
    });
  });

  it('refuses malformed deliveries with the reason', () => {
    const refuse = (headers: Record<string, string>, raw: Buffer) => () => parseEventGridDelivery(headers, raw);
    expect(refuse({}, body([event]))).toThrow(/missing 'aeg-event-type'/);
    expect(refuse({ 'aeg-event-type': 'Notification' }, Buffer.from('{'))).toThrow(BadRequestError);
    expect(refuse({ 'aeg-event-type': 'Notification' }, body([{ ...event, eventType: undefined }]))).toThrow(/event 0: eventType/);
    expect(refuse({ 'aeg-event-type': 'Notification' }, body([]))).toThrow(/no events/);
    expect(refuse({ 'aeg-event-type': 'SubscriptionValidation' }, body([event]))).toThrow(/validationCode/);
  });
});
