import { randomBytes } from 'node:crypto';
import { ConfigError } from '../shared/errors';
import { DashboardSessions } from '../shared/auth/dashboardSessions';
import { resolve } from 'node:path';
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
 * The composition root: reads settings from the environment (local.settings.json
 * locally, app settings in Azure), builds the adapters and hands them to the core.
 */
export async function composeServices(env: NodeJS.ProcessEnv = process.env): Promise<Services> {
  // Writes through the Functions invocation context when inside one (adapters/telemetry).
  const logger = telemetryLogger('autopilot');
  const { config, file } = loadConfigFile(env.AUTOPILOT_CONFIG ?? 'autopilot.yaml', env);
  refuseLocalBackendOnAzure(config.environments, env);
  const stateDir = resolve(env.AUTOPILOT_STATE_DIR ?? '.autopilot');
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
  const events = withEventTelemetry(notifyingPublisher(logged, notifications.outbox, logger), { logger });
  // The local stack (router on a port, job runner) starts only if some environment uses it.
  const local: LocalWorkspaces | undefined = ENVIRONMENTS.every((e) => azure[e])
    ? undefined
    : await createLocalWorkspaces({
        stateDir,
        storage,
        logger,
        port: env.AUTOPILOT_ENDPOINTS_PORT ? Number(env.AUTOPILOT_ENDPOINTS_PORT) : 7072,
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
    options: {
      ...(env.AUTOPILOT_JOB_POLL_SECONDS ? { jobPollSeconds: Number(env.AUTOPILOT_JOB_POLL_SECONDS) } : {}),
      ...(env.AUTOPILOT_PROVISIONING_POLL_SECONDS ? { provisioningPollSeconds: Number(env.AUTOPILOT_PROVISIONING_POLL_SECONDS) } : {}),
      ...(env.AUTOPILOT_LEASE_SECONDS ? { leaseSeconds: leaseSecondsFrom(env.AUTOPILOT_LEASE_SECONDS) } : {}),
    },
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
    authenticate: createAuthenticator(env, env.WEBSITE_INSTANCE_ID ? undefined : ensureLocalTokens(stateDir), { sessions }),
    dashboard: {
      sessions,
      // On Azure sign-in links use the app's public origin, never the request's Host (functions/http/dashboardSessions.ts).
      ...(env.WEBSITE_HOSTNAME ? { publicOrigin: publicOriginOf(env.AUTOPILOT_PUBLIC_URL || `https://${env.WEBSITE_HOSTNAME}`) } : {}),
      ...(env.AUTOPILOT_TRUST_APP_SERVICE_AUTH === 'true'
        ? { appServiceLogin: '/.auth/login/aad?post_login_redirect_uri=/api/dashboard/' }
        : {}),
    },
    logger,
    stop: async () => {
      await Promise.all([local?.stop(), ...Object.values(azure).map((w) => w.stop())]);
    },
  };
}

/** How long a stage may go without a heartbeat before the sweeper re-drives it: the time a crash costs. */
function leaseSecondsFrom(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 15 || seconds > 3600) {
    throw new ConfigError('AUTOPILOT_LEASE_SECONDS', [{ path: '', message: `expected whole seconds from 15 to 3600, got '${value}'` }]);
  }
  return seconds;
}

/** The origin of AUTOPILOT_PUBLIC_URL (or the app's host name), refused at start when it is no http(s) URL. */
function publicOriginOf(url: string): string {
  if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) {
    throw new ConfigError('app settings', [
      { path: 'AUTOPILOT_PUBLIC_URL', message: 'must be the http(s) URL people open the app at, e.g. https://autopilot.example.net' },
    ]);
  }
  return new URL(url).origin;
}
