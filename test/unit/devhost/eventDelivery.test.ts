import { eventGridRetryDelay } from '../../../devhost/eventGridRetry';
import { parseEventSubscriptions, subscriptionMatches, subscriptionScope } from '../../../devhost/eventSubscription';
import { ConfigError } from '../../../shared/errors';

describe('eventGridRetryDelay', () => {
  it("follows Event Grid's schedule: 10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, then longer", () => {
    const seconds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => eventGridRetryDelay(n, 500).delayMs / 1000);
    expect(seconds).toEqual([10, 30, 60, 300, 600, 1800, 3600, 10800, 21600, 43200, 43200]);
  });

  it('scales the waits for tests', () => {
    expect(eventGridRetryDelay(1, 500, 0.001)).toEqual({ retry: true, delayMs: 10 });
    expect(eventGridRetryDelay(2, undefined, 0.001)).toEqual({ retry: true, delayMs: 30 });
  });

  it('does not retry 400, 403 and 413, and waits at least 5 minutes after a 404', () => {
    expect(eventGridRetryDelay(1, 400).retry).toBe(false);
    expect(eventGridRetryDelay(1, 403).retry).toBe(false);
    expect(eventGridRetryDelay(1, 413).retry).toBe(false);
    expect(eventGridRetryDelay(1, 404)).toEqual({ retry: true, delayMs: 300_000 });
  });
});

describe('event subscriptions', () => {
  const [sub] = parseEventSubscriptions([
    {
      functionName: 'blobCreated',
      includedEventTypes: ['Microsoft.Storage.BlobCreated'],
      subjectBeginsWith: '/blobServices/default/containers/training-data/',
    },
  ]);

  it('default to 30 delivery attempts and a 1440-minute TTL', () => {
    expect(sub).toMatchObject({ name: 'blobCreated', maxDeliveryAttempts: 30, eventTimeToLiveMinutes: 1440 });
  });

  it('filter on event type and subject prefix, case-insensitively', () => {
    expect(
      subscriptionMatches(sub!, {
        eventType: 'Microsoft.Storage.BlobCreated',
        subject: '/blobServices/default/containers/Training-Data/blobs/a.csv',
      }),
    ).toBe(true);
    expect(
      subscriptionMatches(sub!, {
        eventType: 'Microsoft.Storage.BlobDeleted',
        subject: '/blobServices/default/containers/training-data/blobs/a.csv',
      }),
    ).toBe(false);
    expect(
      subscriptionMatches(sub!, {
        eventType: 'Microsoft.Storage.BlobCreated',
        subject: '/blobServices/default/containers/other/blobs/a.csv',
      }),
    ).toBe(false);
  });

  it('tell reconciliation which container and prefix to list', () => {
    expect(subscriptionScope(sub!)).toEqual({ container: 'training-data', prefix: '' });
    const [narrow, broad] = parseEventSubscriptions([
      { functionName: 'f', subjectBeginsWith: '/blobServices/default/containers/c/blobs/default/' },
      { functionName: 'g' },
    ]);
    expect(subscriptionScope(narrow!)).toEqual({ container: 'c', prefix: 'default/' });
    expect(subscriptionScope(broad!)).toEqual({ prefix: '' });
  });

  it('are validated with errors that name the field', () => {
    expect(() => parseEventSubscriptions([{ functionName: 'f', maxDeliveryAttempts: 0 }])).toThrow(ConfigError);
    expect(() => parseEventSubscriptions([{ functionName: 'f', maxDeliveryAttempts: 0 }])).toThrow(/\[0\]\.maxDeliveryAttempts/);
  });
});
