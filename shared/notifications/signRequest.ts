import { Webhook } from 'standardwebhooks';

export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, spec/standard-webhooks.md):
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` with the secret
 * `whsec_<base64>`. The `standardwebhooks` package signs, so receivers can verify with the same
 * library (Webhook.verify, 5-minute replay window). The id stays the same across retries and
 * redeliveries of one message, so a receiver can drop duplicates by it.
 */
export function signRequest(secret: string, messageId: string, timestamp: Date, body: string): SignatureHeaders {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(messageId, timestamp, body),
  };
}

/** Why `secret` cannot sign (without echoing it), or undefined when it can. */
export function signingSecretProblem(secret: string): string | undefined {
  if (!secret.startsWith('whsec_')) return 'must look like whsec_<base64> (Standard Webhooks secret format)';
  let bytes: number;
  try {
    // The library decodes the secret in its constructor and throws on bad base64.
    new Webhook(secret);
    bytes = Math.floor(((secret.length - 'whsec_'.length) * 3) / 4);
  } catch {
    return 'is not valid base64 after whsec_';
  }
  // The spec asks for 24 to 64 random bytes.
  return bytes < 24 ? 'is too short: use 24 to 64 random bytes, e.g. `echo whsec_$(openssl rand -base64 32)`' : undefined;
}
