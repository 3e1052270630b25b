import { STAGES, type AuditEntry, type Release } from './types';

/**
 * A release's decision record: what it trained on, what it measured, what each gate decided
 * and why, who acted on it. Built from the release and its audit log only, so the record of a
 * release is the same whenever it is read; a reviewer can file it as a model card.
 */
export interface ReleaseReport {
  release: { id: string; pipeline: string; status: Release['status']; reason?: string; createdAt: string; endedAt?: string };
  trigger: Release['trigger'];
  data?: {
    blob: string; eTag: string; rows?: number; columns?: string[]; holdoutRows?: number;
    /** With data.trainingSet all/window: every file trained on, with its eTag and SHA-256. */
    trainingSet?: { blob: string; eTag: string; sha256: string; rows: number }[];
  };
  training?: { job: string; metrics: Record<string, number> };
  model?: { name: string; version: number };
  gate?: Release['gate'] & { championModel?: { name: string; version: number }; candidateMetrics: Record<string, number>; championMetrics: Record<string, number> };
  staging?: Release['staging'];
  approval?: Release['approval'];
  canary?: { verdict?: string; reasons: string[]; steps?: number; promotedBy?: { by: string; at: string } };
  rollback?: Release['rollback'];
  stages: { stage: string; status: string; startedAt?: string; endedAt?: string; detail?: string }[];
  /** Every change of the release: who or what, when, and why. */
  actions: AuditEntry[];
}

export function releaseReport(release: Release, audit: readonly AuditEntry[]): ReleaseReport {
  const report: ReleaseReport = {
    release: { id: release.id, pipeline: release.pipeline, status: release.status, createdAt: release.createdAt, ...(release.reason && { reason: release.reason }), ...(release.endedAt && { endedAt: release.endedAt }) },
    trigger: release.trigger,
    stages: STAGES.flatMap((stage) => {
      const record = release.stages[stage];
      return record ? [{ stage, status: record.status, startedAt: record.startedAt, endedAt: record.endedAt, detail: record.detail }] : [];
    }),
    actions: [...audit].sort((a, b) => a.at.localeCompare(b.at)),
  };
  if (release.data) {
    const d = release.data;
    report.data = { blob: `${d.container}/${d.blob}`, eTag: d.eTag, rows: d.rows, columns: d.columns, holdoutRows: d.holdoutRows, ...(d.trainingSet && { trainingSet: d.trainingSet.sources }) };
  }
  if (release.job) report.training = { job: release.job.name, metrics: release.metrics.training ?? {} };
  if (release.model) report.model = release.model;
  if (release.gate) {
    report.gate = {
      ...release.gate, candidateMetrics: release.metrics.candidate ?? {}, championMetrics: release.metrics.champion ?? {},
      ...(release.champion && { championModel: release.champion }),
    };
  }
  if (release.staging) report.staging = release.staging;
  if (release.approval) report.approval = release.approval;
  if (release.canary) {
    report.canary = { verdict: release.canary.verdict, reasons: release.canary.reasons ?? [], steps: release.canary.stepIndex + 1, ...(release.canary.promoteNow && { promotedBy: release.canary.promoteNow }) };
  }
  if (release.rollback) report.rollback = release.rollback;
  return report;
}

/** The record as Markdown, for a pull request, a wiki or an audit folder. */
export function reportMarkdown(report: ReleaseReport): string {
  const r = report.release;
  const lines = [`# Release ${r.id} (${r.pipeline}): ${r.status}`, ''];
  if (r.reason) lines.push(`**Outcome:** ${r.reason}`, '');
  lines.push(`- Started ${r.createdAt}${r.endedAt ? `, ended ${r.endedAt}` : ''}`, `- Trigger: ${report.trigger.kind}${report.trigger.by ? ` by ${report.trigger.by}` : ''}${report.trigger.note ? ` (${report.trigger.note})` : ''}`);
  if (report.model) lines.push(`- Model: ${report.model.name} v${report.model.version}`);
  if (report.data) {
    lines.push('', '## Data', '', `- ${report.data.blob} (eTag ${report.data.eTag})${report.data.rows !== undefined ? `, ${report.data.rows} rows` : ''}${report.data.holdoutRows !== undefined ? `, ${report.data.holdoutRows} held out` : ''}`);
    for (const file of report.data.trainingSet ?? []) lines.push(`  - ${file.blob}: ${file.rows} rows, sha256 ${file.sha256}`);
  }
  if (report.training) lines.push('', '## Training', '', `- Job ${report.training.job}`, ...metricLines(report.training.metrics));
  if (report.gate) {
    const g = report.gate;
    lines.push('', '## Evaluation gate', '', `- ${g.passed ? 'Passed' : 'Rejected'}: ${g.reason}`, `- ${g.metric}: candidate ${g.candidate ?? 'n/a'}${g.champion !== undefined ? `, champion${g.championModel ? ` (${g.championModel.name} v${g.championModel.version})` : ''} ${g.champion}` : ''}`);
  }
  if (report.staging) {
    const s = report.staging;
    lines.push('', '## Staging', '', `- Deployment ${s.deployment}`);
    if (s.smoke) lines.push(`- Smoke: ${s.smoke.requests} requests, ${s.smoke.errors} errors, max latency ${s.smoke.maxLatencyMs} ms`);
  }
  if (report.approval) lines.push('', '## Approval', '', `- Requested ${report.approval.requestedAt}${report.approval.by ? `; approved by ${report.approval.by} at ${report.approval.at}` : '; not approved'}`);
  if (report.canary) {
    lines.push('', '## Canary', '', `- ${report.canary.verdict ?? 'no verdict yet'} after ${report.canary.steps} step(s)`, ...report.canary.reasons.map((reason) => `  - ${reason}`));
    if (report.canary.promotedBy) lines.push(`- Promoted by hand by ${report.canary.promotedBy.by} at ${report.canary.promotedBy.at}`);
  }
  if (report.rollback) lines.push('', '## Rollback', '', `- ${report.rollback.at} by ${report.rollback.by}: ${report.rollback.why}`);
  lines.push('', '## Stages', '', '| stage | status | ended | detail |', '|---|---|---|---|');
  for (const s of report.stages) lines.push(`| ${s.stage} | ${s.status} | ${s.endedAt ?? ''} | ${cell(s.detail)} |`);
  lines.push('', '## Actions', '', '| at | who | action | why |', '|---|---|---|---|');
  for (const a of report.actions) lines.push(`| ${a.at} | ${cell(a.actor)} | ${cell(a.action)} | ${cell(a.why)} |`);
  return `${lines.join('\n')}\n`;
}

function metricLines(metrics: Record<string, number>): string[] {
  return Object.entries(metrics).map(([name, value]) => `- ${name}: ${value}`);
}

/** A table cell: pipes and line breaks would break the row. */
function cell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
