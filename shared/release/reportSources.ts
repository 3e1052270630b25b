import { getMonitorRun } from '../monitoring/runMonitor';
import type { ModelRegistry, StateTable } from '../ports';
import type { ReleaseReportSources } from './report';
import type { Release } from './types';

export interface ReportSourcePorts {
  /** The dev workspace: where register records the candidate and its lineage. */
  registry: Pick<ModelRegistry, 'getModel'>;
  /** The state table monitor runs are stored in. */
  table: StateTable;
}

/**
 * Looks up what the decision record shows beside the release: the registered model version
 * and, for a drift-triggered release, the monitor run that started it. Either may be gone
 * (a model deleted by hand, runs pruned): then its section is left out, not the record.
 */
export async function reportSources(release: Release, ports: ReportSourcePorts): Promise<ReleaseReportSources> {
  const [model, monitorRun] = await Promise.all([
    release.model ? ports.registry.getModel(release.model) : undefined,
    release.trigger.kind === 'drift' && release.trigger.eventId
      ? getMonitorRun(ports.table, release.pipeline, release.trigger.eventId)
      : undefined,
  ]);
  return { ...(model && { model }), ...(monitorRun && { monitorRun }) };
}
