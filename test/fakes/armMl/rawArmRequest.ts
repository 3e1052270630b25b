import { request as httpsRequest } from 'node:https';

/**
 * One request to the ARM fake as a client that skips our adapters sends it (an old request
 * shape, a body the spec refuses), trusting the fake's certificate.
 */
export function rawArmRequest(url: string, method: string, body: unknown, ca: string): Promise<{ status: number; text: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        ca,
        headers: { authorization: 'Bearer t', 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
