import type { EndpointInfo, ShadowOptions, ShadowReport } from '../../../shared/ports';
import type { EndpointRecord } from './endpointRecord';
import type { EndpointStore } from './endpointStore';
import { validateMirrorTraffic, validateShadow, validateTraffic } from './validateTraffic';

/** Sets the endpoint's live traffic split, saved and in effect at the router when this returns. */
export function setTraffic(store: EndpointStore, endpoint: string, traffic: Record<string, number>): Promise<EndpointInfo> {
  return changeSplit(store, 'setTraffic', endpoint, (record) => {
    validateTraffic(record, traffic);
    record.traffic = { ...traffic };
  });
}

/** Shadow traffic (Azure ML `mirror_traffic`): copies of requests, answers discarded. */
export function setMirrorTraffic(store: EndpointStore, endpoint: string, mirrorTraffic: Record<string, number>): Promise<EndpointInfo> {
  return changeSplit(store, 'setMirrorTraffic', endpoint, (record) => {
    validateMirrorTraffic(record, mirrorTraffic);
    record.mirrorTraffic = { ...mirrorTraffic };
  });
}

/** Changes one endpoint's record under its lock, saves it and tells the router; answers the endpoint as it now is. */
async function changeSplit(
  store: EndpointStore,
  operation: string,
  endpoint: string,
  change: (record: EndpointRecord) => void,
): Promise<EndpointInfo> {
  store.requireStarted(operation);
  return store.perEndpoint.run(endpoint, async () => {
    const record = store.require(endpoint);
    change(record);
    await store.persist(record);
    return store.info(record);
  });
}

/**
 * Copies `percent` of the endpoint's live requests to a deployment of any environment's
 * endpoint (0 removes the shadow). The setting is saved with the endpoint; its tally
 * of agreements starts afresh.
 */
export async function setShadow(
  store: EndpointStore,
  endpoint: string,
  target: { endpoint: string; deployment: string },
  percent: number,
  options: ShadowOptions = {},
): Promise<void> {
  store.requireStarted('setShadow');
  return store.perEndpoint.run(endpoint, async () => {
    const record = store.require(endpoint);
    const targetRouting = store.options.host.routingOf(target.endpoint);
    validateShadow(endpoint, target, percent, targetRouting && Object.keys(targetRouting.deployments));
    if (percent === 0) delete record.shadow;
    else
      record.shadow = {
        endpoint: target.endpoint,
        deployment: target.deployment,
        percent,
        setAt: new Date().toISOString(),
        ...(options.tolerance !== undefined && { tolerance: options.tolerance }),
      };
    await store.persist(record);
    await store.options.host.resetShadow(endpoint);
  });
}

/** Counts since the shadow was last set (kept in memory: a restart of the host starts them afresh). */
export async function shadowReport(store: EndpointStore, endpoint: string): Promise<ShadowReport> {
  store.requireEndpoint(endpoint);
  return store.options.host.shadowReport(endpoint);
}
