import { decodeQueueMessage, encodeQueueMessage } from '../../../devhost/queueMessage';
import { MIN_POLL_DELAY_MS, nextPollDelay } from '../../../devhost/pollingBackoff';

describe('decodeQueueMessage', () => {
  it('decodes base64 (the host default) and parses JSON objects', () => {
    const raw = Buffer.from('{"releaseId":"r1","step":"train"}').toString('base64');
    expect(decodeQueueMessage(raw)).toEqual({
      text: '{"releaseId":"r1","step":"train"}',
      input: { releaseId: 'r1', step: 'train' },
      wasBase64: true,
    });
  });

  it('accepts plain-text JSON and plain text, including words that happen to be valid base64', () => {
    expect(decodeQueueMessage('{"a":1}').input).toEqual({ a: 1 });
    expect(decodeQueueMessage('[1,2]').input).toEqual([1, 2]);
    expect(decodeQueueMessage('test')).toEqual({ text: 'test', input: 'test', wasBase64: false });
    expect(decodeQueueMessage('hello world').input).toBe('hello world');
  });

  it('keeps text that only looks like JSON as a string', () => {
    expect(decodeQueueMessage('{not json').input).toBe('{not json');
    expect(decodeQueueMessage(Buffer.from('42').toString('base64')).input).toBe('42');
  });

  it('round-trips what encodeQueueMessage writes', () => {
    expect(decodeQueueMessage(encodeQueueMessage({ x: 'é' })).input).toEqual({ x: 'é' });
  });
});

describe('nextPollDelay', () => {
  it('backs off from 100 ms, doubling up to maxPollingInterval, and resets when messages arrive', () => {
    const delays: number[] = [];
    let delay = 0;
    for (let i = 0; i < 7; i++) delays.push((delay = nextPollDelay(delay, false, 2000)));
    expect(delays).toEqual([MIN_POLL_DELAY_MS, 200, 400, 800, 1600, 2000, 2000]);
    expect(nextPollDelay(delay, true, 2000)).toBe(0);
  });
});
