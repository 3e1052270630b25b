import { ensureError } from '../errors';
import { claimOnce, releaseClaim } from '../delivery/claimOnce';
import type { ParsedAlert } from '../events/commonAlert';
import { outgoingEvent, type OutgoingEventOf } from '../events/outgoing';
import type { Clock, EndpointInfo, EventPublisher, Logger, StateTable } from '../ports';
import { matchAlertTargets } from './matchAlertTargets';

/** Partition of the state table holding one row per alert notification. */
export const ALERT_PARTITION = 'alert';

/** Rolling back an endpoint's canary: what the alert reaction needs of the release control (ReleaseControl implements it). */
export interface CanaryRollback {
  /** Rolls back the endpoint's active canary; undefined when it has none. */
  rollbackCanary(endpointName: string, actor: string, why: string): Promise<{ releaseId: string } | undefined>;
}

export interface AlertDeps {
  table: StateTable;
  canaries: CanaryRollback;
  /** A Fired alert whose rule speaks of drift, on an endpoint without a canary: feeds the retraining policy. @default ignored */
  onDriftAlert?(endpoint: string, reason: string): Promise<void>;
  listEndpoints(): Promise<EndpointInfo[]>;
  events: EventPublisher;
  clock: Clock;
  logger: Logger;
}

export type AlertOutcome = 'rolled_back' | 'recorded' | 'ignored';

export interface AlertRecord {
  alert: ParsedAlert;
  receivedAt: string;
  /** `pending` while being acted on; `failed` lets a redelivery act again. */
  outcome: AlertOutcome | 'pending' | 'failed';
  reason?: string;
  /** Matched endpoints, `name` or `name/deployment`. */
  endpoints: string[];
  /** Releases whose canary this alert rolled back. */
  releases: string[];
}

export type AlertReaction = { kind: 'duplicate' | AlertOutcome; record: AlertRecord };

export interface ReactToAlertOptions {
  /** A claim left `pending` longer than this (a crashed worker) may be taken over. @default 60 */
  claimTimeoutSeconds?: number;
}

/** Table keys may not contain `/` (alert ids are ARM paths), so the dedupe key is encoded. */
export function alertRowKey(dedupeKey: string): string {
  return encodeURIComponent(dedupeKey);
}

/**
 * Acts on one alert notification, once: a Fired alert on an endpoint with an active
 * canary rolls that canary back at once; on other endpoints it is recorded and
 * announced (`autopilot.AlertReceived`); Resolved is recorded; alerts for endpoints we
 * do not know are recorded and ignored. The row in partition `alert` is the dedupe
 * claim: a duplicate delivery finds it and does nothing, while a failed attempt marks
 * it so that Azure's retry acts again.
 */
export async function reactToAlert(alert: ParsedAlert, deps: AlertDeps, options: ReactToAlertOptions = {}): Promise<AlertReaction> {
  const row = alertRowKey(alert.dedupeKey);
  const receivedAt = deps.clock.now().toISOString();
  const claimed = await claimOnce<AlertRecord>(
    deps.table,
    ALERT_PARTITION,
    row,
    { alert, receivedAt, outcome: 'pending', endpoints: [], releases: [] },
    options.claimTimeoutSeconds ?? 60,
  );
  if (claimed.kind === 'duplicate') {
    deps.logger.info(`alert ${alert.rule} (${alert.condition}) already received; not acting again`, { alertId: alert.alertId });
    return { kind: 'duplicate', record: claimed.record };
  }
  let record: AlertRecord;
  try {
    record = await decide(alert, deps, claimed.record);
  } catch (error) {
    await releaseClaim(deps.table, ALERT_PARTITION, row, claimed, ensureError(error).message);
    throw error;
  }
  await deps.table.replace<AlertRecord>(ALERT_PARTITION, row, record, claimed.etag);
  deps.logger.info(`alert ${alert.rule} ${alert.condition}: ${record.outcome}${record.reason ? ` (${record.reason})` : ''}`, {
    alertId: alert.alertId,
  });
  return { kind: record.outcome as AlertOutcome, record };
}

async function decide(alert: ParsedAlert, deps: AlertDeps, base: AlertRecord): Promise<AlertRecord> {
  const matches = matchAlertTargets(alert, await deps.listEndpoints());
  const endpoints = matches.map((m) => (m.deployment ? `${m.endpoint.name}/${m.deployment}` : m.endpoint.name));
  if (matches.length === 0) {
    const named = [...alert.targets, ...alert.configurationItems];
    return { ...base, outcome: 'ignored', reason: `no endpoint matches ${named.length ? named.join(', ') : '(no targets)'}` };
  }
  if (alert.condition === 'Resolved') return { ...base, endpoints, outcome: 'recorded', reason: 'resolved' };

  const releases: string[] = [];
  const actor = `azure-monitor:${alert.rule}`;
  const why = `alert ${alert.rule} fired: ${alert.description ?? `${alert.severity ?? ''} ${alert.signalType ?? ''} alert`.replace(/\s+/g, ' ').trim()}`;
  for (const name of new Set(matches.map((m) => m.endpoint.name))) {
    const rolledBack = await deps.canaries.rollbackCanary(name, actor, why);
    if (rolledBack) releases.push(rolledBack.releaseId);
  }
  if (releases.length) return { ...base, endpoints, releases, outcome: 'rolled_back', reason: why };

  await deps.events.publish([alertReceivedEvent(alert, endpoints, deps.clock.now())]);
  if (deps.onDriftAlert && /drift/i.test(`${alert.rule} ${alert.description ?? ''}`)) {
    for (const name of new Set(matches.map((m) => m.endpoint.name))) await deps.onDriftAlert(name, why);
    return { ...base, endpoints, outcome: 'recorded', reason: 'drift alert: handed to the retraining policy' };
  }
  return { ...base, endpoints, outcome: 'recorded', reason: 'no active canary on the target; notified' };
}

/** The notification for a Fired alert that changed nothing by itself. Its id is stable, so redelivery dedupes. */
export function alertReceivedEvent(alert: ParsedAlert, endpoints: string[], now: Date): OutgoingEventOf<'autopilot.AlertReceived'> {
  return outgoingEvent(
    'autopilot.AlertReceived',
    {
      id: `alert:${alert.dedupeKey}`,
      source: '/autopilot/alerts',
      subject: `endpoints/${endpoints[0] ?? 'unknown'}`,
      time: now.toISOString(),
    },
    {
      alertId: alert.alertId,
      rule: alert.rule,
      severity: alert.severity,
      condition: alert.condition,
      signalType: alert.signalType,
      service: alert.service,
      description: alert.description,
      firedAt: alert.firedAt,
      endpoints,
    },
  );
}

/** The most recent alerts first, for the API. */
export async function listAlerts(table: StateTable, limit = 100): Promise<AlertRecord[]> {
  // Row keys are alert ids, not times, so the partition is sorted here.
  const rows = await table.list<AlertRecord>(ALERT_PARTITION);
  return rows
    .map((r) => r.value)
    .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
    .slice(0, Math.max(0, limit));
}
