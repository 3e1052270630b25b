import { decodeBase64JsonMessage } from '../../../adapters/azure/storage';
import { useAzuriteStorage } from './azuriteStorage';

const azurite = useAzuriteStorage();
const storageOf = azurite.storage;

describe('QueueMessageQueue on Azurite', () => {
  test('send creates the queue and the message arrives base64-encoded JSON, as the Functions host expects', async () => {
    const queue = storageOf().queue<{ releaseId: string; stage: string }>('steps');
    await queue.send({ releaseId: 'r1', stage: 'train' });

    const received = await storageOf().clients.queue.getQueueClient('steps').receiveMessages();
    const text = received.receivedMessageItems[0]?.messageText ?? '';
    expect(text).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(decodeBase64JsonMessage(text)).toEqual({ releaseId: 'r1', stage: 'train' });
    expect(JSON.parse(Buffer.from(text, 'base64').toString('utf8'))).toEqual({ releaseId: 'r1', stage: 'train' });
  });

  test('a message sent with a delay is not visible right after sending', async () => {
    const queue = storageOf().queue<{ n: number }>('delayed');
    await queue.send({ n: 1 }, { delaySeconds: 5 });
    const client = storageOf().clients.queue.getQueueClient('delayed');
    expect((await client.receiveMessages()).receivedMessageItems).toEqual([]);
    // It is there, just invisible: the queue counts it.
    expect((await client.getProperties()).approximateMessagesCount).toBe(1);
  });

  test('messages never expire (TTL -1)', async () => {
    await storageOf().queue('forever').send({ keep: true });
    const [message] = (await storageOf().clients.queue.getQueueClient('forever').peekMessages()).peekedMessageItems;
    // The service reports "never" as the maximum date.
    expect(message?.expiresOn.getUTCFullYear()).toBe(9999);
  });

  test('an oversized message is refused with the limit in the error', async () => {
    await expect(
      storageOf()
        .queue('steps')
        .send({ blob: 'x'.repeat(60_000) }),
    ).rejects.toThrow(/the limit is 49152/);
  });
});
