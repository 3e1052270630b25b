/** `{ blue: 90, green: 10 }` -> "blue=90 green=10", biggest share first; "-" when no traffic. */
export function formatTraffic(traffic: Readonly<Record<string, number>>): string {
  const entries = Object.entries(traffic).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return entries.length === 0 ? '-' : entries.map(([name, percent]) => `${name}=${percent}`).join(' ');
}

/** Traffic plus the mirrored share when there is one: "blue=100 (mirror green=10)". */
export function formatTrafficWithMirror(traffic: Readonly<Record<string, number>>, mirror: Readonly<Record<string, number>> = {}): string {
  const mirrored = Object.entries(mirror).filter(([, percent]) => percent > 0);
  const base = formatTraffic(traffic);
  return mirrored.length === 0 ? base : `${base} (mirror ${formatTraffic(Object.fromEntries(mirrored))})`;
}
