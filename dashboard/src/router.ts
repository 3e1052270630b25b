import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routing (`#/releases/abc`): the server serves one page at /api/dashboard/, so no route
 * needs a server rule. Written here rather than taken from preact-iso because it is 30 lines
 * and adding a dependency for it would cost more than it saves.
 */
export interface RouteMatch<T> {
  route: T;
  params: Record<string, string>;
}

/** The path in the hash, `/` when there is none. */
export function currentPath(): string {
  const path = window.location.hash.replace(/^#/, '');
  return path.startsWith('/') ? path : '/';
}

/** Matches `/releases/:id` against `/releases/r-1`; parameters are URI-decoded. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('?')[0]!.split('/').filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(got[i]!);
    else if (w !== got[i]) return undefined;
  }
  return params;
}

export function findRoute<T extends { path: string }>(routes: readonly T[], path: string): RouteMatch<T> | undefined {
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (params) return { route, params };
  }
  return undefined;
}

/** The current hash path, re-rendering on navigation. */
export function useHashPath(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const onChange = () => setPath(currentPath());
    window.addEventListener('hashchange', onChange);
    // Effects run after paint: a hash change between the first render and now was missed.
    onChange();
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return path;
}

/** An href for a dashboard path: `href('/releases', id)` -> `#/releases/<id>` (segments encoded). */
export function href(...segments: string[]): string {
  return `#${segments.map((s, i) => (i === 0 ? s : encodeURIComponent(s))).join('/')}`;
}
