import type { ParsedAlert } from '../events/commonAlert';
import type { EndpointInfo } from '../ports';

export interface AlertTarget {
  endpoint: EndpointInfo;
  /** Set when the alert named one deployment of the endpoint (`…/onlineEndpoints/<e>/deployments/<d>`). */
  deployment?: string;
}

const DEPLOYMENTS = '/deployments/';

/**
 * The endpoints an alert is about. A target matches an endpoint when it is the
 * endpoint's ARM id or one of its deployments' ids, compared case-insensitively (ARM
 * ids are; Azure often sends them lower-cased), or when a configuration item is the
 * endpoint's name (log search alerts often name the resource only there).
 * One entry per endpoint and deployment, in the order of `endpoints`.
 */
export function matchAlertTargets(
  alert: Pick<ParsedAlert, 'targets' | 'configurationItems'>,
  endpoints: readonly EndpointInfo[],
): AlertTarget[] {
  const targets = alert.targets.map((t) => t.toLowerCase().replace(/\/+$/, ''));
  const items = new Set(alert.configurationItems.map((c) => c.toLowerCase()));
  const matches: AlertTarget[] = [];
  for (const endpoint of endpoints) {
    const id = endpoint.id.toLowerCase();
    const found = new Map<string, AlertTarget>();
    for (const target of targets) {
      if (target === id) found.set('', { endpoint });
      else if (target.startsWith(id + DEPLOYMENTS)) {
        const name = target.slice(id.length + DEPLOYMENTS.length);
        if (!name || name.includes('/')) continue; // a child of a deployment, not the deployment
        // Give back the deployment's own spelling when the endpoint knows it.
        const deployment = endpoint.deployments.find((d) => d.name.toLowerCase() === name)?.name ?? name;
        found.set(deployment, { endpoint, deployment });
      }
    }
    if (items.has(endpoint.name.toLowerCase())) found.set('', { endpoint });
    matches.push(...found.values());
  }
  return matches;
}
