import { randomBytes } from 'node:crypto';
import { DashboardSessions } from '../shared/auth/dashboardSessions';
import type { AutopilotConfig, EnvironmentName } from '../shared/config/schema';
import { ENVIRONMENTS, endpointOwner } from '../shared/config/schema';
import type { Clock, EventPublisher, Logger, MlWorkspace } from '../shared/ports';
import { ReleaseControl } from '../shared/release/control';
import { ReleaseEngine } from '../shared/release/engine';
import { StepRunner } from '../shared/release/stepRunner';
import type { StepMessage } from '../shared/release/types';
import { createStorage, type Storage } from './azure/storage';
import { blobScanPoolFrom, WorkerDataGate } from './worker';
import type { BlobScanPool } from '../shared/monitoring/blobScanPool';
import { azureSettingsFrom, createAzureWorkspaces } from './azure/workspace/azureWorkspaces';
import { loadConfigFile } from './configFile';
import { refuseLocalBackendOnAzure } from './appSettingsEnvironments';
import { telemetryLogger, withEventTelemetry } from './telemetry';
import { createLocalWorkspaces, type LocalWorkspaces } from './local/localWorkspaces';
import { ensureLocalTokens } from './local/tokens';
import { createAuthenticator, type Authenticate } from './auth/authenticator';
import { resolveStorageTarget } from './storageConnection';
import { eventGridPublisherFromEnv } from './azure/events';
import { fanOutPublisher } from './fanOutPublisher';
import { createNotifications, type Notifications } from './notifications';
import { notifyingPublisher } from '../shared/notifications';
import { settingsFrom, type Settings } from './settings';

export const STEPS_QUEUE = 'autopilot-steps';
export const STATE_TABLE = 'autopilot';

export interface Services {
  config: AutopilotConfig;
  configFile: string;
  stateDir: string;
  storage: Storage;
  /** Where every event the app publishes goes (read them back with storage.events.recent). */
  events: EventPublisher;
  clock: Clock;
  workspaces: Record<EnvironmentName, MlWorkspace>;
  engine: ReleaseEngine;
  control: ReleaseControl;
  steps: StepRunner;
  /** Per-pipeline webhooks: the outbox behind `events`, delivery, dead letters (shared/notifications). */
  notifications: Notifications;
  /** Who calls the API (Entra ID tokens, App Service sign-in, local tokens, dashboard sessions), see adapters/auth. */
  authenticate: Authenticate;
  /** The dashboard's one-time sign-in codes and sessions; `appServiceLogin` when App Service authentication is in front. */
  dashboard: { sessions: DashboardSessions; appServiceLogin?: string; publicOrigin?: string };
  logger: Logger;
  /** Worker threads for monitor runs' blob scans when AUTOPILOT_MONITOR_SCAN_THREADS asks for them (adapters/worker). */
  blobScanPool?: BlobScanPool;
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
  const { config, file } = loadConfigFile(settings.configPath, env);
  refuseLocalBackendOnAzure(config.environments, env);
  const { stateDir } = settings;
  // Coordinates are checked first: a user fixing autopilot.yaml learns every missing field now.
  const azure = createAzureWorkspaces(config, file, azureSettingsFrom(env));
  const storage = createStorage(resolveStorageTarget(env));
  const clock = { now: () => new Date() };
  // Webhook URLs and secrets come from app settings: a missing one stops the start, named.
  const notifications = createNotifications(config, file, env, storage, clock, logger);
  // What the app says about itself (release core, monitors, alerts): the event log first (it
  // feeds GET /api/events and must take every event), then Event Grid best-effort when
  // AUTOPILOT_EVENTGRID_ENDPOINT is set, then the notification outbox (per-pipeline webhooks,
  // queued, never failing the publisher); custom metrics and spans from every event.
  const eventGrid = eventGridPublisherFromEnv(env);
  const logged = eventGrid ? fanOutPublisher(storage.events, { 'Event Grid': eventGrid }, { logger }) : storage.events;
  const events = withEventTelemetry(notifyingPublisher(logged, notifications.outbox, logger));
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
  const pick = (e: EnvironmentName): MlWorkspace => azure[e] ?? local!.workspaces[e];
  const workspaces: Record<EnvironmentName, MlWorkspace> = { dev: pick('dev'), staging: pick('staging'), prod: pick('prod') };
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
  const scanPool = blobScanPoolFrom(env);
  const sessions = new DashboardSessions({
    table: deps.table,
    now: () => deps.clock.now(),
    randomId: () => randomBytes(24).toString('base64url'),
  });
  return {
    config,
    configFile: file,
    stateDir,
    storage,
    events,
    clock: deps.clock,
    workspaces,
    engine,
    ...(scanPool ? { blobScanPool: scanPool } : {}),
    notifications,
    control: new ReleaseControl(deps, engine),
    steps: new StepRunner(deps, engine),
    // Local tokens only outside Azure Functions: there the app folder is read-only and sign-in is Entra ID's.
    authenticate: createAuthenticator(env, settings.onAzure ? undefined : ensureLocalTokens(stateDir), { sessions }),
    dashboard: {
      sessions,
      // On Azure sign-in links use the app's public origin, never the request's Host (functions/http/dashboardSessions.ts).
      ...(settings.publicOrigin ? { publicOrigin: settings.publicOrigin } : {}),
      ...(settings.trustAppServiceAuth ? { appServiceLogin: '/.auth/login/aad?post_login_redirect_uri=/api/dashboard/' } : {}),
    },
    logger,
    stop: async () => {
      await Promise.all([local?.stop(), ...Object.values(azure).map((w) => w.stop())]);
    },
  };
}
