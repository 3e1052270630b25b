/**
 * Headers of every dashboard response. The page loads only its own bundle (no inline script,
 * no CDN), is never framed (clickjacking an Approve button), and is never sniffed as another type.
 */
export const DASHBOARD_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** index.html and pages made by the server: always asked again, so a new build shows at once. */
export const NO_CACHE = 'no-cache';

/**
 * The manifest key a request under /api/dashboard/ names: '' and 'index.html' are the page,
 * anything else is taken as is (lookups are exact, so odd input simply finds nothing).
 */
export function assetKeyOf(path: string | undefined): string {
  const key = (path ?? '').replace(/^\/+/, '');
  return key === '' ? 'index.html' : key;
}
