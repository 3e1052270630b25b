import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { signingSecretProblem, signRequest } from '../../../shared/notifications/signRequest';
import { SECRET } from './fixtures';

const BODY = JSON.stringify({ type: 'autopilot.ReleaseSucceeded', data: { releaseId: 'r1' } });

describe('signRequest (Standard Webhooks)', () => {
  test('the signature is v1,<base64 HMAC-SHA256 of "id.timestamp.body"> keyed with the secret after whsec_', () => {
    const at = new Date('2026-12-04T09:00:00.500Z');
    const headers = signRequest(SECRET, 'r1:ReleaseSucceeded:promote', at, BODY);
    const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key)
      .update(`r1:ReleaseSucceeded:promote.${Math.floor(at.getTime() / 1000)}.${BODY}`)
      .digest('base64');
    expect(headers).toEqual({
      'webhook-id': 'r1:ReleaseSucceeded:promote',
      'webhook-timestamp': '1796374800',
      'webhook-signature': `v1,${expected}`,
    });
  });

  test('a receiver verifies a fresh signature with the standardwebhooks library', () => {
    const headers = signRequest(SECRET, 'msg-1', new Date(), BODY);
    expect(new Webhook(SECRET).verify(BODY, { ...headers })).toEqual(JSON.parse(BODY));
  });

  test('the verifier refuses a changed body, a forged signature, another secret and a stale timestamp', () => {
    const headers = signRequest(SECRET, 'msg-2', new Date(), BODY);
    const verifier = new Webhook(SECRET);
    expect(() => verifier.verify(BODY.replace('r1', 'r2'), { ...headers })).toThrow(WebhookVerificationError);
    expect(() => verifier.verify(BODY, { ...headers, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}` })).toThrow(
      /No matching signature/,
    );
    const other = `whsec_${Buffer.from('another secret of thirty-two b!!').toString('base64')}`;
    expect(() => new Webhook(other).verify(BODY, { ...headers })).toThrow(/No matching signature/);
    // Signed correctly, but 10 minutes ago: outside the 5-minute replay window.
    const stale = signRequest(SECRET, 'msg-3', new Date(Date.now() - 10 * 60_000), BODY);
    expect(() => verifier.verify(BODY, { ...stale })).toThrow(/timestamp too old/);
  });

  test('signingSecretProblem accepts 24+ random bytes as whsec_<base64> and says what is wrong otherwise', () => {
    expect(signingSecretProblem(SECRET)).toBeUndefined();
    expect(signingSecretProblem('plain-password')).toMatch(/whsec_<base64>/);
    expect(signingSecretProblem(`whsec_${Buffer.from('short').toString('base64')}`)).toMatch(/too short/);
  });
});
