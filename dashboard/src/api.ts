import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ensureError } from '../../shared/errors';

/** The API's error body `{error: {code, message, where}}`, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly where?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The API root beside the dashboard: the page is served at <prefix>/dashboard/, the API at <prefix>. */
export const API_BASE = window.location.pathname.replace(/\/dashboard(\/.*)?$/, '');

/**
 * Every call sends the session cookie (same origin) and the header the API asks of cookie
 * callers on mutating requests: another site can make a browser send the cookie, not this header.
 */
export const CSRF_HEADER = { 'x-autopilot-csrf': '1' } as const;

/** Dispatched on window when the API answers 401 to any call. */
export const UNAUTHENTICATED_EVENT = 'autopilot:unauthenticated';

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, {
      method,
      credentials: 'same-origin',
      headers: { ...CSRF_HEADER, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ApiError(0, 'NetworkError', `the API did not answer: ${ensureError(error).message}`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  // A session that ended (expired, signed out elsewhere): the app shows the sign-in page.
  if (response.status === 401) window.dispatchEvent(new Event(UNAUTHENTICATED_EVENT));
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; where?: string } } | undefined)?.error;
    throw new ApiError(
      response.status,
      error?.code ?? `HTTP${response.status}`,
      error?.message ?? (text.slice(0, 300) || response.statusText),
      error?.where,
    );
  }
  return parsed as T;
}

export function apiGet<T>(path: string): Promise<T> {
  return request<T>('GET', path);
}

export function apiPost<T>(path: string, body?: unknown): Promise<T> {
  return request<T>('POST', path, body ?? {});
}

export interface ApiState<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  reload(): void;
}

/**
 * GETs `path` (relative to the API root, e.g. '/releases'); with `pollMs`, again every pollMs
 * while the component is shown. Keeps the last data while a reload runs (no flicker);
 * `null` fetches nothing.
 */
export function useApi<T>(path: string | null, options: { pollMs?: number } = {}): ApiState<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: path !== null });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  // A slow answer still counts (on a loaded host each poll may take longer than the period):
  // only an answer for a path no longer shown is dropped, and a poll waits for the last one.
  const shownPath = useRef(path);
  shownPath.current = path;
  const inFlight = useRef(false);
  const loadedPath = useRef<string | null>(null);
  useEffect(() => {
    if (path === null) return;
    inFlight.current = true;
    // Another path's data must not show under this one's heading while it loads.
    const samePath = loadedPath.current === path;
    loadedPath.current = path;
    setState((s) => (samePath ? { ...s, loading: true } : { loading: true }));
    apiGet<T>(path)
      .then(
        (data) => shownPath.current === path && setState({ data, loading: false }),
        (error: unknown) => shownPath.current === path && setState((s) => ({ data: s.data, error: toApiError(error), loading: false })),
      )
      .finally(() => {
        inFlight.current = false;
      });
  }, [path, tick]);
  useEffect(() => {
    if (path === null || !options.pollMs) return undefined;
    const timer = window.setInterval(() => inFlight.current || reload(), options.pollMs);
    return () => window.clearInterval(timer);
  }, [path, options.pollMs, reload]);
  return { ...state, reload };
}

function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'ClientError', (error as Error).message ?? String(error));
}

/** How often a page polls while what it shows is still changing (a release running). */
export const LIVE_POLL_MS = 2000;

/**
 * useApi that polls every `pollMs` while `isLive(data)` holds (and until the first answer),
 * then stops: a page follows a running release and goes quiet once it ends.
 */
export function useLiveApi<T>(path: string | null, isLive: (data: T) => boolean, pollMs: number = LIVE_POLL_MS): ApiState<T> {
  const [live, setLive] = useState(true);
  const state = useApi<T>(path, live ? { pollMs } : {});
  const nowLive = state.data === undefined ? true : isLive(state.data);
  useEffect(() => setLive(nowLive), [nowLive]);
  return state;
}
