/**
 * Picks the deployment for an unlabelled request by traffic weight (percent), as the
 * AML endpoint does; deployments at 0 get nothing. Undefined when no weight is positive.
 * `rng` returns [0, 1) — injected so tests can pin the choice.
 */
export function pickDeployment(traffic: Readonly<Record<string, number>>, rng: () => number): string | undefined {
  const weighted = Object.entries(traffic).filter(([, weight]) => weight > 0);
  const total = weighted.reduce((sum, [, weight]) => sum + weight, 0);
  if (total <= 0) return undefined;
  let point = rng() * total;
  for (const [name, weight] of weighted) {
    point -= weight;
    if (point < 0) return name;
  }
  return weighted.at(-1)?.[0];
}

/**
 * Who answers a request routed by weight to `chosen` when `chosen` has no live server (it
 * is restarting after a crash): another live deployment of the endpoint, those with traffic
 * first (heaviest first), then one kept warm at 0% (the previous prod after a promotion).
 * `chosen` itself when it is live or when no other is: the caller then gets its 502/503.
 */
export function liveDeployment(
  chosen: string,
  traffic: Readonly<Record<string, number>>,
  names: readonly string[],
  isLive: (name: string) => boolean,
): string {
  if (isLive(chosen)) return chosen;
  const byWeight = [...names].sort((a, b) => (traffic[b] ?? 0) - (traffic[a] ?? 0));
  return byWeight.find((name) => name !== chosen && isLive(name)) ?? chosen;
}

/** Deployments that get a copy of this request: each independently with its mirror percentage. */
export function pickMirrors(mirrorTraffic: Readonly<Record<string, number>>, exclude: string, rng: () => number): string[] {
  return Object.entries(mirrorTraffic)
    .filter(([name, percent]) => name !== exclude && percent > 0 && rng() * 100 < percent)
    .map(([name]) => name);
}
