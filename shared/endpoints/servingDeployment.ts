/**
 * The deployment serving the largest share of an endpoint's live traffic (ties: the first
 * listed), leaving out `except`; undefined when none serves any. One rule for "the model in
 * prod", used by evaluation (champion), the canary (stable) and the monitors (baseline).
 */
export function servingDeployment(traffic: Record<string, number>, except?: string): string | undefined {
  const [top] = Object.entries(traffic)
    .filter(([name, share]) => name !== except && share > 0)
    .sort((a, b) => b[1] - a[1]);
  return top?.[0];
}
