/** "0.4 s", "4.1 s", "1m 12s", "2h 05m": short enough for a stage line, exact enough to compare. */
export function formatDuration(ms: number): string {
  const safe = Math.max(0, ms);
  if (safe < 60_000) return `${(Math.floor(safe / 100) / 10).toFixed(1)} s`;
  const totalSeconds = Math.floor(safe / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/** How long ago `iso` was: "just now", "42s ago", "5m ago", "3h ago", "2d ago". */
export function formatAge(iso: string | undefined, now: Date): string {
  const then = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(then)) return '-';
  const seconds = Math.floor((now.getTime() - then) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** Milliseconds between two ISO times, or from `start` until `now` while still open. */
export function elapsedMs(start: string | undefined, end: string | undefined, now: Date): number | undefined {
  const from = start ? Date.parse(start) : Number.NaN;
  if (Number.isNaN(from)) return undefined;
  const to = end ? Date.parse(end) : now.getTime();
  return Number.isNaN(to) ? undefined : to - from;
}
