import { z } from 'zod';
import type { MonitorRun } from '../monitoring/runMonitor';
import type { ModelVersion } from '../ports';
import type { CanaryLookMetric, Release } from './types';

/** The model version as the registry holds it: what it was trained on, by which job and code, and how it scored. */
export interface ModelLineageSection {
  model: { name: string; version: number; createdAt: string; sha256: string; format?: string };
  /** Tags as registered (release, pipeline, gate verdict, baseline profile...). */
  tags: Record<string, string>;
  metrics: Record<string, number>;
  /** The data blob trained on; with a training set, the manifest listing every file. */
  data: { url?: string; eTag?: string; sha256?: string; trainingSetManifest?: string };
  trainingJob?: string;
  /** SHA-256 of the training job's code folder. */
  codeHash?: string;
  releaseId?: string;
  copiedFrom?: ModelVersion['copiedFrom'];
}

/** The monitor run that started a retraining release (drift, model quality, or an alert or Azure ML event passed on as one). */
export interface MonitorTriggerSection {
  id: string;
  at: string;
  /** `external`: an Azure Monitor alert or Azure ML's DatasetDriftDetected. */
  trigger: MonitorRun['trigger'];
  outcome: MonitorRun['outcome'];
  endpoint: string;
  model?: { name: string; version: number };
  window: { from: string; to: string };
  rows: number;
  reasons: string[];
  /** Features (and the prediction) with a breached threshold, with the metrics and why. */
  breached: { feature: string; role: 'feature' | 'prediction'; metrics: string[]; reasons: string[] }[];
}

export interface DeploymentErrorRate {
  requests: number;
  errors: number;
  errorRate: number;
}

export interface CanarySummary {
  verdict?: string;
  reasons: string[];
  steps?: number;
  promotedBy?: { by: string; at: string };
  /** Looks the analysis took, and how many of them the release keeps (the most recent). */
  looks: number;
  looksKept: number;
  lastLookAt?: string;
  /** The sequential test's parameters (docs/canary-analysis.md). */
  test?: {
    alpha: number;
    power: number;
    minDetectable: Record<string, { risk: number; rateFloor: number }>;
    latencyThresholdsMs?: number[];
  };
  /** Cumulative requests and errors per arm at the last look. */
  arms?: { canary: DeploymentErrorRate; stable: DeploymentErrorRate };
  /** Each metric's statistic against its boundary at the last look. */
  metrics: CanaryLookMetric[];
}

export function modelLineageSection(model: ModelVersion): ModelLineageSection {
  const { lineage } = model;
  return {
    model: {
      name: model.name,
      version: model.version,
      createdAt: model.createdAt,
      sha256: model.sha256,
      ...(model.format && { format: model.format }),
    },
    tags: { ...model.tags },
    metrics: { ...model.metrics },
    data: {
      ...(lineage.dataUrl && { url: withoutQuery(lineage.dataUrl) }),
      ...(lineage.dataETag && { eTag: lineage.dataETag }),
      ...(lineage.dataSha256 && { sha256: lineage.dataSha256 }),
      ...(lineage.trainingSet && { trainingSetManifest: lineage.trainingSet }),
    },
    ...(lineage.jobName && { trainingJob: lineage.jobName }),
    ...(lineage.codeHash && { codeHash: lineage.codeHash }),
    ...(lineage.releaseId && { releaseId: lineage.releaseId }),
    ...(model.copiedFrom && { copiedFrom: model.copiedFrom }),
  };
}

export function monitorTriggerSection(run: MonitorRun): MonitorTriggerSection {
  const all = [...(run.report?.features ?? []), ...(run.report?.prediction ? [run.report.prediction] : [])];
  return {
    id: run.id,
    at: run.at,
    trigger: run.trigger,
    outcome: run.outcome,
    endpoint: run.endpoint,
    ...(run.model && { model: run.model }),
    window: run.window,
    rows: run.rows,
    reasons: [...run.reasons],
    breached: all
      .filter((f) => f.breached.length > 0)
      .map((f) => ({ feature: f.feature, role: f.role, metrics: [...f.breached], reasons: [...f.reasons] })),
  };
}

/** The parts of the analysis state (shared/rollout, stored as unknown) the record shows; read defensively. */
const TestParameters = z.object({
  alpha: z.number(),
  power: z.number(),
  intervals: z.int().optional(),
  minDetectable: z.record(z.string(), z.object({ risk: z.number(), rateFloor: z.number() })),
});

export function canarySummary(canary: NonNullable<Release['canary']>): CanarySummary {
  const test = TestParameters.safeParse(canary.analysis);
  const last = canary.looks.at(-1);
  const arm = (a: { requests: number; errors: number }): DeploymentErrorRate => ({
    ...a,
    errorRate: a.requests > 0 ? a.errors / a.requests : 0,
  });
  return {
    verdict: canary.verdict,
    reasons: canary.reasons ?? [],
    steps: canary.stepIndex + 1,
    ...(canary.promoteNow && { promotedBy: canary.promoteNow }),
    looks: Math.max(test.data?.intervals ?? 0, canary.looks.length),
    looksKept: canary.looks.length,
    ...(last && { lastLookAt: last.at, arms: { canary: arm(last.canary), stable: arm(last.stable) } }),
    ...(test.success && {
      test: {
        alpha: test.data.alpha,
        power: test.data.power,
        minDetectable: test.data.minDetectable,
        ...(canary.thresholdsMs && { latencyThresholdsMs: canary.thresholdsMs }),
      },
    }),
    metrics: last?.metrics ?? [],
  };
}

/** A blob URL may carry a SAS token in its query: never into a record people file. */
function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at);
}
