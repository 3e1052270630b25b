import { randomBytes } from 'node:crypto';
import { DashboardSessions } from '../shared/auth/dashboardSessions';
import type { AutopilotConfig, EnvironmentName } from '../shared/config/schema';
import { ENVIRONMENTS, endpointOwner } from '../shared/config/schema';
import type { Clock, EventPublisher, Logger, WorkspaceRoles } from '../shared/ports';
import type { EventEnvelope } from '../shared/events/eventEnvelope';
import { ReleaseControl } from '../shared/release/releaseControl';
import { ReleaseEngine } from '../shared/release/engine';
import { repairRelease } from '../shared/release/repair';
import { StepRunner } from '../shared/release/stepRunner';
import type { Release, StepMessage } from '../shared/release/types';
import { createStorage } from './azure/storage';
import { blobScanPoolFrom, WorkerDataGate } from './worker';
import type { MonitorDeps } from '../shared/monitoring/runMonitor';
import type { AlertDeps } from '../shared/alerts/reactToAlert';
import type { AmlEventDeps } from '../shared/alerts/reactToAmlEvent';
import type { ReleaseRepository } from '../shared/release/repository';
import { reactionServices } from './reactionServices';
import { createAzureWorkspaces } from './azure/workspace/azureWorkspaces';
import { loadConfigFile } from './configFile';
import { refuseLocalBackendOnAzure } from './appSettingsEnvironments';
import { telemetryLogger, withEventTelemetry } from './telemetry';
import { createLocalWorkspaces, type LocalWorkspaces } from './local/localWorkspaces';
import { ensureLocalTokens } from './local/tokens';
import { createAuthenticator, type Authenticate } from './auth/authenticator';
import { resolveStorageTarget } from './storageConnection';
import { eventGridPublisherFrom } from './azure/events';
import { fanOutPublisher } from './fanOutPublisher';
import { createNotifications, type Notifications } from './notifications';
import { notifyingPublisher } from '../shared/notifications';
import { settingsFrom, type Settings } from './settings';

export const STEPS_QUEUE = 'autopilot-steps';
export const STATE_TABLE = 'autopilot';
/** The monitors' table: runs, baselines (shared/monitoring). */
export const MONITORS_TABLE = 'monitors';

/** What the API reads and appends of the release records (the engine's repository). */
export type ReleaseRecords = Pick<ReleaseRepository, 'scan' | 'auditLog' | 'listAudit' | 'audit'>;

export interface Services {
  config: AutopilotConfig;
  configFile: string;
  stateDir: string;
  /** Where every event the app publishes goes (read them back with `eventLog.recent`). */
  events: EventPublisher;
  /** The app's own event log, newest first (GET /api/events). */
  eventLog: { recent(limit?: number): Promise<EventEnvelope[]> };
  /** Release records and their audit trail, read and appended by the API. */
  releases: ReleaseRecords;
  /** The monitors' ports (scheduled and by-hand runs, external drift). */
  monitors: MonitorDeps;
  /** The Azure Monitor alert reaction's ports. */
  alerts: AlertDeps;
  /** The Azure ML event reaction's ports. */
  amlEvents: AmlEventDeps;
  clock: Clock;
  workspaces: Record<EnvironmentName, WorkspaceRoles>;
  /** How releases start: new data (BlobCreated) and by hand (POST /api/releases). */
  releaseStarts: Pick<ReleaseEngine, 'onDataArrival' | 'startManual'>;
  /** The sweeper's work: re-drives expired leases, admits orphaned releases, finishes pending outboxes. */
  sweeper: Pick<ReleaseEngine, 'sweep'>;
  /** Ends a release whose stored record no longer parses (shared/release/repair.ts). */
  repair(id: string, actor: string): Promise<Release>;
  control: ReleaseControl;
  steps: StepRunner;
  /** Per-pipeline webhooks: the outbox behind `events`, delivery, dead letters (shared/notifications). */
  notifications: Notifications;
  /** Who calls the API (Entra ID tokens, App Service sign-in, local tokens, dashboard sessions), see adapters/auth. */
  authenticate: Authenticate;
  /** The dashboard's one-time sign-in codes and sessions; `appServiceLogin` when App Service authentication is in front. */
  dashboard: { sessions: DashboardSessions; appServiceLogin?: string; publicOrigin?: string; assetsDir?: string };
  logger: Logger;
  stop(): Promise<void>;
}

/**
 * The composition root: builds the adapters from the validated settings (adapters/settings.ts:
 * local.settings.json locally, app settings in Azure) and hands them to the core.
 */
export async function composeServices(settings: Settings = settingsFrom(process.env)): Promise<Services> {
  const env = settings.appSettings;
  // Writes through the Functions invocation context when inside one (adapters/telemetry).
  const logger = telemetryLogger('autopilot');
  const { config, file } = loadConfigFile(settings.configPath, settings.environments);
  refuseLocalBackendOnAzure(config.environments, settings.onAzure);
  const { stateDir } = settings;
  // Coordinates are checked first: a user fixing autopilot.yaml learns every missing field now.
  const azure = createAzureWorkspaces(config, file, settings.azure);
  const storage = createStorage(resolveStorageTarget(env));
  const clock = { now: () => new Date() };
  // Webhook URLs and secrets come from app settings: a missing one stops the start, named.
  const notifications = createNotifications(config, file, settings, storage, clock, logger);
  // What the app says about itself (release core, monitors, alerts): the event log first (it
  // feeds GET /api/events and must take every event), then Event Grid best-effort when
  // AUTOPILOT_EVENTGRID_ENDPOINT is set, then the notification outbox (per-pipeline webhooks,
  // queued, never failing the publisher); custom metrics and spans from every event.
  const eventGrid = eventGridPublisherFrom(settings.eventGrid);
  const logged = eventGrid ? fanOutPublisher(storage.events, { 'Event Grid': eventGrid }, { logger }) : storage.events;
  const events = withEventTelemetry(notifyingPublisher(logged, notifications.outbox, logger), { logger });
  // The local stack (router on a port, job runner) starts only if some environment uses it.
  const local: LocalWorkspaces | undefined = ENVIRONMENTS.every((e) => azure[e])
    ? undefined
    : await createLocalWorkspaces({
        stateDir,
        storage,
        logger,
        port: settings.endpointsPort,
        // Endpoints are `<pipeline>-<environment>`: each pipeline's privacy list applies to its own.
        collection: {
          excludeColumns: (endpoint: string) => config.pipelines[endpointOwner(endpoint)?.pipeline ?? '']?.monitoring.excludeColumns ?? [],
        },
      });
  // Each environment's roles: its Azure ML workspace's where it has one, else the local workspace's.
  const pick = (e: EnvironmentName): WorkspaceRoles => azure[e] ?? local!.workspaces[e];
  const workspaces: Record<EnvironmentName, WorkspaceRoles> = { dev: pick('dev'), staging: pick('staging'), prod: pick('prod') };
  const deps = {
    config,
    data: storage.data,
    table: storage.table(STATE_TABLE),
    steps: storage.queue<StepMessage>(STEPS_QUEUE),
    workspaces,
    events,
    clock,
    logger,
    dataGate: new WorkerDataGate(),
    options: settings.engine,
  };
  const engine = new ReleaseEngine(deps);
  const scanPool = blobScanPoolFrom(settings.monitorScanThreads);
  const sessions = new DashboardSessions({
    table: deps.table,
    now: () => deps.clock.now(),
    randomId: () => randomBytes(24).toString('base64url'),
  });
  const control = new ReleaseControl(deps, engine);
  return {
    config,
    configFile: file,
    stateDir,
    events,
    eventLog: storage.events,
    releases: engine.repo,
    ...reactionServices({
      config,
      data: storage.data,
      stateTable: deps.table,
      monitorTable: storage.table(MONITORS_TABLE),
      workspaces,
      engine,
      control,
      events,
      clock,
      logger,
      ...(scanPool ? { scanPool } : {}),
    }),
    clock: deps.clock,
    workspaces,
    releaseStarts: engine,
    sweeper: engine,
    repair: (id, actor) => repairRelease(engine, deps, id, actor),
    notifications,
    control,
    steps: new StepRunner(deps, engine),
    // Local tokens only outside Azure Functions: there the app folder is read-only and sign-in is Entra ID's.
    authenticate: createAuthenticator(settings, settings.onAzure ? undefined : ensureLocalTokens(stateDir), { sessions }),
    dashboard: {
      sessions,
      // On Azure sign-in links use the app's public origin, never the request's Host (functions/http/dashboardSessions.ts).
      ...(settings.publicOrigin ? { publicOrigin: settings.publicOrigin } : {}),
      ...(settings.dashboardDir ? { assetsDir: settings.dashboardDir } : {}),
      ...(settings.trustAppServiceAuth ? { appServiceLogin: '/.auth/login/aad?post_login_redirect_uri=/api/dashboard/' } : {}),
    },
    logger,
    stop: async () => {
      await Promise.all([local?.stop(), ...Object.values(azure).map((w) => w.stop())]);
    },
  };
}
