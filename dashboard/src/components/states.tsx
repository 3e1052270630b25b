import type { ComponentChildren } from 'preact';
import type { ApiState } from '../api';

/**
 * Renders an API call's state: a loading line, the API's own error message (code and where),
 * or the children once there is data. While a poll reloads, the last data stays on screen.
 */
export function Loaded<T>(props: { state: ApiState<T>; what: string; children: (data: T) => ComponentChildren }) {
  const { data, error, loading } = props.state;
  return (
    <>
      {error && (
        <p class="error" role="alert">
          Could not load {props.what}: {error.message}
          {error.where ? ` (at ${error.where})` : ''} [{error.code}]
        </p>
      )}
      {data === undefined ? loading ? <p class="loading">Loading {props.what}…</p> : null : props.children(data)}
    </>
  );
}

const STATUS_CLASS: Record<string, string> = {
  succeeded: 'ok',
  running: 'live',
  queued: 'live',
  pending: 'idle',
  skipped: 'idle',
  rejected: 'warn',
  rolled_back: 'warn',
  cancelled: 'idle',
  failed: 'bad',
};

/** A release or stage status as a coloured badge. */
export function StatusBadge(props: { status: string }) {
  return (
    <span class={`badge ${STATUS_CLASS[props.status] ?? 'idle'}`} data-status={props.status}>
      {props.status.replace('_', ' ')}
    </span>
  );
}

/** "12 s", "3 min 4 s", "1 h 2 min" between two ISO times (to now when `to` is missing). */
export function duration(from?: string, to?: string, now: number = Date.now()): string {
  if (!from) return '';
  const ms = (to ? Date.parse(to) : now) - Date.parse(from);
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A local date-time for an ISO string. */
export function when(iso?: string): string {
  return iso ? new Date(iso).toLocaleString() : '';
}
