/** What HttpRequest.headers and Fetch's Headers both offer. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** `why` is our own text only (nothing the request sent), so it may go into a page or a log as is. */
export type SameOriginVerdict = { sameOrigin: true } | { sameOrigin: false; why: string };

/**
 * Whether a form POST was sent by a page of `ourOrigin` (e.g. `https://app.example.net`): the
 * defence against login CSRF, where another site posts the attacker's own sign-in code from a
 * visitor's browser and so signs the visitor in as the attacker. A browser sets both headers
 * itself and no page's script can forge them.
 *
 * `Sec-Fetch-Site` decides when present (every current browser sends it on https and on
 * localhost); else `Origin` must be ours. A POST with neither is refused: every browser that
 * could be made to post here sends at least `Origin` (a form POST with the page's referrer policy
 * at `no-referrer` sends `Origin: null`, which is why the sign-in page relaxes that policy).
 * The rule follows Go's net/http CrossOriginProtection, but stricter (it lets a request with
 * neither header through); ten lines, and no library among our dependencies does it.
 */
export function sameOriginPost(headers: HeaderReader, ourOrigin: string): SameOriginVerdict {
  const site = headers.get('sec-fetch-site');
  if (site !== null) {
    return site.trim().toLowerCase() === 'same-origin'
      ? { sameOrigin: true }
      : {
          sameOrigin: false,
          why: `the browser's Sec-Fetch-Site says '${oneWord(site)}', not 'same-origin': the request did not come from this app's own page`,
        };
  }
  const origin = headers.get('origin');
  if (origin === null)
    return {
      sameOrigin: false,
      why: 'the request says neither where it came from (Origin) nor whether it is same-origin (Sec-Fetch-Site)',
    };
  return normalized(origin) === normalized(ourOrigin)
    ? { sameOrigin: true }
    : { sameOrigin: false, why: "the request came from another origin than this app's (Origin)" };
}

/** `https://Host:443` and `https://host` are one origin; `null` and junk stay unequal to ours. */
function normalized(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return `unparsed:${origin}`;
  }
}

/** The header's value only if it is one of the values browsers send, so an error message never carries arbitrary text. */
function oneWord(value: string): string {
  const v = value.trim().toLowerCase();
  return ['cross-site', 'same-site', 'none'].includes(v) ? v : '(unrecognised)';
}
