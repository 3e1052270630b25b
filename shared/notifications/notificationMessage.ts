import type { NotificationKind } from '../config/notificationsSchema';
import type { EventEnvelope } from '../events/outgoing';

/** Breaches of the same kind folded into this message since the last one (shared/notifications/digest.ts). */
export interface DigestNote {
  folded: number;
  since: string;
}

/** What a person reads, before it is shaped for Teams or Slack. */
export interface NotificationMessage {
  kind: NotificationKind;
  title: string;
  /** One sentence: what happened and why. */
  summary: string;
  pipeline: string;
  facts: { name: string; value: string }[];
  link: { label: string; url: string };
  /** What the reader is expected to do (approval), if anything. */
  action?: string;
  /** good (promoted), attention (failed, rolled back, breaches), warning (waiting, rejected), accent (progress). */
  tone: 'good' | 'attention' | 'warning' | 'accent';
}

export interface NotificationMessageOptions {
  /** The service's public base URL (AUTOPILOT_PUBLIC_URL). @default http://127.0.0.1:7071 */
  publicBaseUrl?: string;
  digest?: DigestNote;
}

const TITLES: Record<NotificationKind, (subject: string) => string> = {
  started: (s) => `Release ${s} started`,
  stage_changed: (s) => `Release ${s} moved on`,
  waiting_for_approval: (s) => `Release ${s} waits for approval to go to prod`,
  promoted: (s) => `Release ${s} promoted to prod`,
  rejected: (s) => `Release ${s} rejected`,
  rolled_back: (s) => `Release ${s} rolled back`,
  failed: (s) => `Release ${s} failed`,
  cancelled: (s) => `Release ${s} cancelled`,
  drift: (s) => `Drift on ${s}`,
  data_quality: (s) => `Data quality breach on ${s}`,
  model_quality: (s) => `Model quality breach on ${s}`,
};

const TONES: Record<NotificationKind, NotificationMessage['tone']> = {
  started: 'accent',
  stage_changed: 'accent',
  waiting_for_approval: 'warning',
  promoted: 'good',
  rejected: 'warning',
  rolled_back: 'attention',
  failed: 'attention',
  cancelled: 'warning',
  drift: 'attention',
  data_quality: 'attention',
  model_quality: 'attention',
};

/** Turns one published event into the message people see; pure, so every format says the same. */
export function toNotificationMessage(
  event: EventEnvelope,
  kind: NotificationKind,
  pipeline: string,
  options: NotificationMessageOptions = {},
): NotificationMessage {
  const base = (options.publicBaseUrl ?? 'http://127.0.0.1:7071').replace(/\/+$/, '');
  const d = event.data;
  const releaseId = text(d['releaseId']);
  const model = modelOf(d['model']);
  const facts: NotificationMessage['facts'] = [{ name: 'Pipeline', value: pipeline }];
  if (model) facts.push({ name: 'Model', value: model });
  if (releaseId) {
    const stage = text(d['stage']);
    const completed = text(d['completedStage']);
    facts.push({ name: 'Release', value: releaseId });
    if (stage) facts.push({ name: 'Stage', value: completed ? `${completed} done, now ${stage}` : stage });
    const by = text(d['by']);
    if (by) facts.push({ name: 'By', value: by });
  } else {
    const endpoint = text(d['endpoint']);
    if (endpoint) facts.push({ name: 'Endpoint', value: endpoint });
    if (typeof d['rows'] === 'number') facts.push({ name: 'Rows', value: String(d['rows']) });
  }
  if (options.digest && options.digest.folded > 0) {
    facts.push({
      name: 'Digest',
      value: `${options.digest.folded} more breach${options.digest.folded === 1 ? '' : 'es'} of this kind since ${options.digest.since}, not sent one by one`,
    });
  }
  const reasons = Array.isArray(d['reasons']) ? d['reasons'].map(String) : [];
  const reason = text(d['why']) ?? text(d['reason']) ?? (reasons.length > 0 ? reasons.join('; ') : undefined);
  const title = TITLES[kind](releaseId ?? pipeline);
  return {
    kind,
    title,
    summary: reason ? `${title}: ${reason}` : `${title}.`,
    pipeline,
    facts,
    link: releaseId
      ? { label: 'Open the release', url: `${base}/api/dashboard/#/releases/${encodeURIComponent(releaseId)}` }
      : { label: 'Open the monitors', url: `${base}/api/dashboard/#/monitors/${encodeURIComponent(pipeline)}` },
    ...(kind === 'waiting_for_approval' && releaseId ? { action: approvalHint(releaseId, d['timeoutMinutes']) } : {}),
    tone: TONES[kind],
  };
}

function approvalHint(releaseId: string, timeoutMinutes: unknown): string {
  const timeout =
    typeof timeoutMinutes === 'number' ? ` Without an answer within ${timeoutMinutes} min it is cancelled, prod untouched.` : '';
  return `An ML engineer with the prod role approves with \`autopilot approve ${releaseId}\` (or POST /api/releases/${releaseId}/approve), or cancels it.${timeout}`;
}

function modelOf(model: unknown): string | undefined {
  if (typeof model !== 'object' || model === null) return undefined;
  const { name, version } = model as { name?: unknown; version?: unknown };
  return typeof name === 'string' ? `${name}${version !== undefined ? ` v${String(version)}` : ''}` : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
