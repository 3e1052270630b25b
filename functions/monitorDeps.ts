import type { Services } from '../adapters/compose';
import { signalDrift, type MonitorDeps } from '../shared/monitoring/runMonitor';
import { endpointOwner } from '../shared/config/schema';

/** The monitors' ports, from the app's services. */
export function monitorDeps(s: Services): MonitorDeps {
  return {
    config: s.config,
    data: s.storage.data,
    table: s.storage.table('monitors'),
    prod: s.workspaces.prod,
    engine: s.engine,
    events: s.events,
    clock: s.clock,
    logger: s.logger,
    artifactsContainer: 'autopilot-artifacts',
    ...(s.blobScanPool ? { scanPool: s.blobScanPool } : {}),
  };
}

/**
 * Drift reported from outside (an Azure Monitor alert on `<pipeline>-prod`, an Azure ML
 * dataset monitor named after the pipeline, or the only pipeline) goes to the retraining policy.
 */
export async function externalDrift(s: Services, target: { endpoint?: string; monitorName?: string }, reason: string): Promise<void> {
  const pipelines = Object.keys(s.config.pipelines);
  const owner = target.endpoint ? endpointOwner(target.endpoint) : undefined;
  const named = target.endpoint ? (owner?.environment === 'prod' ? owner.pipeline : target.endpoint) : target.monitorName;
  const pipeline = named && pipelines.includes(named) ? named : pipelines.length === 1 ? pipelines[0] : undefined;
  if (!pipeline) {
    s.logger.warn(`external drift signal ignored: no pipeline matches ${target.endpoint ?? target.monitorName ?? '(no name)'}`, {});
    return;
  }
  await signalDrift(pipeline, monitorDeps(s), target.endpoint ? 'azure-monitor' : 'azure-ml', reason);
}
