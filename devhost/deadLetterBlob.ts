import { randomUUID } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import type { DeadLetteredEvent } from './eventDispatcher';
import type { EventSubscription } from './eventSubscription';

/**
 * Stores a dead-lettered event the way Event Grid does: a JSON array in the dead-letter
 * container at `<TOPIC>/<SUBSCRIPTION>/<yyyy>/<MM>/<dd>/<HH>/<guid>.json`.
 */
export async function writeDeadLetterBlob(
  container: ContainerClient,
  topicName: string,
  sub: EventSubscription,
  event: DeadLetteredEvent,
  now = new Date(),
): Promise<string> {
  await container.createIfNotExists();
  const pad = (n: number) => String(n).padStart(2, '0');
  const name = [
    topicName.toUpperCase(),
    sub.name.toUpperCase(),
    now.getUTCFullYear(),
    pad(now.getUTCMonth() + 1),
    pad(now.getUTCDate()),
    pad(now.getUTCHours()),
    `${randomUUID()}.json`,
  ].join('/');
  const body = JSON.stringify([event]);
  await container
    .getBlockBlobClient(name)
    .upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: 'application/json' } });
  return name;
}
