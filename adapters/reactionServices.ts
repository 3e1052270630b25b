import type { AutopilotConfig, EnvironmentName } from '../shared/config/schema';
import type { AlertDeps } from '../shared/alerts/reactToAlert';
import type { AmlEventDeps } from '../shared/alerts/reactToAmlEvent';
import { externalDrift } from '../shared/monitoring/externalDrift';
import type { BlobScanPool } from '../shared/monitoring/blobScanPool';
import type { MonitorDeps } from '../shared/monitoring/runMonitor';
import type { Clock, DataStore, EndpointInfo, EventPublisher, Logger, StateTable, WorkspaceRoles } from '../shared/ports';
import type { ReleaseControl } from '../shared/release/releaseControl';
import { DEFAULT_ENGINE_OPTIONS } from '../shared/release/context';
import type { ReleaseEngine } from '../shared/release/engine';

/** What the reactions to the outside world (alerts, Azure ML events, monitors) are built from. */
export interface ReactionParts {
  config: AutopilotConfig;
  data: DataStore;
  /** The app's state table (alerts and Azure ML events keep their records there). */
  stateTable: StateTable;
  /** The monitors' own table (runs, baselines). */
  monitorTable: StateTable;
  /** Every environment's endpoints (alerts name any endpoint); prod's collected data for the monitors. */
  workspaces: Record<EnvironmentName, Pick<WorkspaceRoles, 'endpoints'>> & { prod: Pick<WorkspaceRoles, 'endpoints' | 'collected'> };
  engine: ReleaseEngine;
  control: ReleaseControl;
  events: EventPublisher;
  clock: Clock;
  logger: Logger;
  scanPool?: BlobScanPool;
}

/** The core's reactions, wired once: external drift from alerts and Azure ML goes to the same monitors. */
export function reactionServices(p: ReactionParts): { monitors: MonitorDeps; alerts: AlertDeps; amlEvents: AmlEventDeps } {
  const monitors: MonitorDeps = {
    config: p.config,
    data: p.data,
    table: p.monitorTable,
    prod: p.workspaces.prod,
    engine: p.engine,
    events: p.events,
    clock: p.clock,
    logger: p.logger,
    artifactsContainer: DEFAULT_ENGINE_OPTIONS.artifactsContainer,
    ...(p.scanPool ? { scanPool: p.scanPool } : {}),
  };
  const alerts: AlertDeps = {
    table: p.stateTable,
    canaries: p.control,
    listEndpoints: async () => {
      const lists: EndpointInfo[][] = await Promise.all(Object.values(p.workspaces).map((w) => w.endpoints.listEndpoints()));
      return lists.flat();
    },
    events: p.events,
    clock: p.clock,
    logger: p.logger,
    onDriftAlert: (endpoint, reason) => externalDrift(monitors, { endpoint }, reason),
  };
  const amlEvents: AmlEventDeps = {
    table: p.stateTable,
    releases: p.control,
    clock: p.clock,
    logger: p.logger,
    onDatasetDrift: (monitorName, reason) => externalDrift(monitors, { monitorName }, reason),
  };
  return { monitors, alerts, amlEvents };
}
