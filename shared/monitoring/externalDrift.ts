import { endpointOwner } from '../config/schema';
import { signalDrift, type MonitorDeps } from './runMonitor';

/** Where drift reported from outside came from: an Azure Monitor alert's endpoint, or an Azure ML dataset monitor's name. */
export interface ExternalDriftTarget {
  endpoint?: string;
  monitorName?: string;
}

/**
 * Drift reported from outside (an Azure Monitor alert on `<pipeline>-prod`, an Azure ML
 * dataset monitor named after the pipeline, or the only pipeline) goes to the retraining policy.
 */
export async function externalDrift(deps: MonitorDeps, target: ExternalDriftTarget, reason: string): Promise<void> {
  const pipelines = Object.keys(deps.config.pipelines);
  const owner = target.endpoint ? endpointOwner(target.endpoint) : undefined;
  const named = target.endpoint ? (owner?.environment === 'prod' ? owner.pipeline : target.endpoint) : target.monitorName;
  const pipeline = named && pipelines.includes(named) ? named : pipelines.length === 1 ? pipelines[0] : undefined;
  if (!pipeline) {
    deps.logger.warn(`external drift signal ignored: no pipeline matches ${target.endpoint ?? target.monitorName ?? '(no name)'}`, {});
    return;
  }
  await signalDrift(pipeline, deps, target.endpoint ? 'azure-monitor' : 'azure-ml', reason);
}
