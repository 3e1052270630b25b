import type { MonitorRun } from '../monitoring/runMonitor';
import type { ModelVersion } from '../ports';
import {
  canarySummary,
  modelLineageSection,
  monitorTriggerSection,
  type CanarySummary,
  type ModelLineageSection,
  type MonitorTriggerSection,
} from './reportSections';
import { STAGES, type AuditEntry, type DataLineage, type Release } from './types';

export type { DeploymentErrorRate, CanarySummary, ModelLineageSection, MonitorTriggerSection } from './reportSections';

/**
 * A release's decision record: what started it, what it trained on, what it measured, what
 * each gate decided and why, who acted on it. Built from the release, its audit log and what
 * the caller looked up for it (ReleaseReportSources), so this stays pure; a reviewer can file
 * it as a model card.
 */
export interface ReleaseReport {
  release: { id: string; pipeline: string; status: Release['status']; reason?: string; createdAt: string; endedAt?: string };
  trigger: Release['trigger'];
  /** The monitor run that started a retraining release (trigger `drift`), when it was found. */
  triggeredBy?: MonitorTriggerSection;
  data?: {
    blob: string;
    eTag: string;
    rows?: number;
    columns?: string[];
    holdoutRows?: number;
    compared?: DataLineage['compared'];
    /** With data.trainingSet all/window: every file trained on, with its eTag and SHA-256. */
    trainingSet?: { blob: string; eTag: string; sha256: string; rows: number }[];
  };
  training?: { job: string; metrics: Record<string, number> };
  model?: { name: string; version: number };
  /** The model version's lineage as registered (dev workspace), when it was found. */
  lineage?: ModelLineageSection;
  gate?: Release['gate'] & {
    championModel?: { name: string; version: number };
    candidateMetrics: Record<string, number>;
    championMetrics: Record<string, number>;
  };
  staging?: Release['staging'];
  approval?: Release['approval'];
  canary?: CanarySummary;
  rollback?: Release['rollback'];
  stages: { stage: string; status: string; startedAt?: string; endedAt?: string; detail?: string }[];
  /** Every change of the release: who or what, when, and why. */
  actions: AuditEntry[];
}

/** What the caller looked up for the record: each must belong to the release (checked). */
export interface ReleaseReportSources {
  /** `release.model` as the dev workspace's registry holds it. @default none: no lineage section */
  model?: ModelVersion;
  /** The monitor run named by a `drift` trigger's eventId. @default none: no triggeredBy section */
  monitorRun?: MonitorRun;
}

export function releaseReport(release: Release, audit: readonly AuditEntry[], sources: ReleaseReportSources = {}): ReleaseReport {
  const { model, monitorRun } = sources;
  if (model && (model.name !== release.model?.name || model.version !== release.model.version)) {
    throw new RangeError(
      `releaseReport: model ${model.name} v${model.version} is not release ${release.id}'s model; pass the version the release registered (release.model)`,
    );
  }
  if (monitorRun && monitorRun.id !== release.trigger.eventId) {
    throw new RangeError(
      `releaseReport: monitor run ${monitorRun.id} did not trigger release ${release.id}; pass the run its trigger names (trigger.eventId)`,
    );
  }
  const report: ReleaseReport = {
    release: {
      id: release.id,
      pipeline: release.pipeline,
      status: release.status,
      createdAt: release.createdAt,
      ...(release.reason && { reason: release.reason }),
      ...(release.endedAt && { endedAt: release.endedAt }),
    },
    trigger: release.trigger,
    ...(monitorRun && { triggeredBy: monitorTriggerSection(monitorRun) }),
    stages: STAGES.flatMap((stage) => {
      const record = release.stages[stage];
      return record ? [{ stage, status: record.status, startedAt: record.startedAt, endedAt: record.endedAt, detail: record.detail }] : [];
    }),
    actions: [...audit].sort((a, b) => a.at.localeCompare(b.at)),
  };
  if (release.data) {
    const d = release.data;
    report.data = {
      blob: `${d.container}/${d.blob}`,
      eTag: d.eTag,
      rows: d.rows,
      columns: d.columns,
      holdoutRows: d.holdoutRows,
      ...(d.compared && { compared: d.compared }),
      ...(d.trainingSet && { trainingSet: d.trainingSet.sources }),
    };
  }
  if (release.job) report.training = { job: release.job.name, metrics: release.metrics.training ?? {} };
  if (release.model) report.model = release.model;
  if (model) report.lineage = modelLineageSection(model);
  if (release.gate) {
    report.gate = {
      ...release.gate,
      candidateMetrics: release.metrics.candidate ?? {},
      championMetrics: release.metrics.champion ?? {},
      ...(release.champion && { championModel: release.champion }),
    };
  }
  if (release.staging) report.staging = release.staging;
  if (release.approval) report.approval = release.approval;
  if (release.canary) report.canary = canarySummary(release.canary);
  if (release.rollback) report.rollback = release.rollback;
  return report;
}
