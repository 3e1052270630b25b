import { sameOriginPost } from '../../../shared/auth/sameOriginPost';

const OURS = 'https://autopilot.example.net';
const headers = (values: Record<string, string>) => new Headers(values);

describe('sameOriginPost', () => {
  it('accepts what a browser sends from our own page: Sec-Fetch-Site same-origin, or only an Origin equal to ours', () => {
    expect(sameOriginPost(headers({ 'sec-fetch-site': 'same-origin' }), OURS)).toEqual({ sameOrigin: true });
    expect(sameOriginPost(headers({ origin: OURS }), OURS)).toEqual({ sameOrigin: true });
    // One origin however it is written (default port, case).
    expect(sameOriginPost(headers({ origin: 'https://AutoPilot.example.net:443' }), OURS)).toEqual({ sameOrigin: true });
  });

  it('lets Sec-Fetch-Site decide when present, whatever Origin says', () => {
    expect(sameOriginPost(headers({ 'sec-fetch-site': 'cross-site', origin: OURS }), OURS)).toEqual({
      sameOrigin: false,
      why: expect.stringContaining("Sec-Fetch-Site says 'cross-site'"),
    });
    expect(sameOriginPost(headers({ 'sec-fetch-site': 'same-site', origin: OURS }), OURS).sameOrigin).toBe(false);
    expect(sameOriginPost(headers({ 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' }), OURS).sameOrigin).toBe(true);
  });

  it('refuses another origin, an opaque one, another scheme or port, and a request with neither header', () => {
    for (const origin of ['https://evil.example', 'null', 'http://autopilot.example.net', 'https://autopilot.example.net:8443', 'junk']) {
      expect([origin, sameOriginPost(headers({ origin }), OURS)]).toEqual([
        origin,
        { sameOrigin: false, why: expect.stringContaining('another origin') },
      ]);
    }
    expect(sameOriginPost(headers({}), OURS)).toEqual({ sameOrigin: false, why: expect.stringContaining('neither') });
  });

  it('never puts what the request sent into its reason', () => {
    const verdict = sameOriginPost(headers({ 'sec-fetch-site': '<b>x</b>', origin: 'https://<evil>' }), OURS);
    expect(verdict).toEqual({ sameOrigin: false, why: expect.stringContaining("says '(unrecognised)'") });
    expect(JSON.stringify(sameOriginPost(headers({ origin: 'https://evil.example' }), OURS))).not.toContain('evil');
  });
});
