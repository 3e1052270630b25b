import { parse } from 'csv-parse/sync';
import type { PipelineConfig } from '../config/schema';
import { accuracy, rocAuc } from '../evaluation/metrics';
import { regressionMetrics } from '../evaluation/regressionMetrics';
import { predictionAsNumber } from '../evaluation/regressionAnswers';
import { targetValue } from '../data/targetChecks';
import type { DataStore } from '../ports';
import { GROUND_TRUTH_CONTAINER } from './inferenceRecord';
import { ensureError } from '../errors';

/** What the monitor remembers of each scored row in the window, to join labels with. */
export interface ScoredRow {
  prediction: unknown;
  probabilities?: number[];
  input: Record<string, unknown>;
}

export interface LabelledRow extends ScoredRow {
  requestId: string;
  label: string;
}

export interface ModelQualityReport {
  /** Label rows joined with a scored request of the window. */
  labelled: number;
  /** Label rows naming a request id the window does not hold (too old, never scored, or mistyped). */
  unknownRequestIds: number;
  /** Label rows without a request id or a label. */
  malformedRows: number;
  /** Label files that could not be parsed at all, with why. */
  unreadableFiles: string[];
  metrics: Record<string, number>;
  /** The model's own evaluation metrics, which production quality is compared with. */
  expected: Record<string, number>;
  degraded: boolean;
  insufficientLabels: boolean;
  reasons: string[];
  /** The joined rows (for the retraining set); not stored with the report. */
  rows: LabelledRow[];
}

/**
 * Model quality once ground truth arrives: label files (CSV with `request_id` and the
 * label column, under `ground-truth/<pipeline>/`) joined with the window's scored rows by
 * request id; accuracy, precision and recall of the positive class, and AUC for binary
 * models that return probabilities (positive class = the last in sorted order, as the
 * example scorer orders its classes), against the model's evaluation metrics. Under task
 * regression: rmse and mae (degraded when more than maxDrop above the evaluation's, as a share:
 * 0.05 is 5 % larger errors, since they are in the target's units) and r2 (an absolute drop).
 */
export async function assessModelQuality(
  pipeline: string,
  policy: PipelineConfig,
  data: DataStore,
  scored: ReadonlyMap<string, ScoredRow>,
  expected: Record<string, number>,
  sinceIso: string,
): Promise<ModelQualityReport> {
  const labelColumn = policy.data.labelColumn;
  const { minLabels, maxDrop } = policy.monitoring.quality;
  const report: ModelQualityReport = {
    labelled: 0,
    unknownRequestIds: 0,
    malformedRows: 0,
    unreadableFiles: [],
    metrics: {},
    expected,
    degraded: false,
    insufficientLabels: true,
    reasons: [],
    rows: [],
  };
  const files = (await data.list(GROUND_TRUTH_CONTAINER, `${pipeline}/`)).filter((b) => (b.lastModified ?? '') >= sinceIso);
  for (const file of files) {
    let records: Record<string, string>[];
    try {
      records = parse((await data.read(file)).content, { bom: true, columns: true, skip_empty_lines: true, trim: true }) as Record<
        string,
        string
      >[];
    } catch (error) {
      report.unreadableFiles.push(`${file.name}: ${ensureError(error).message}`);
      continue;
    }
    for (const record of records) {
      const requestId = record['request_id'];
      const label = record[labelColumn] ?? record['label'];
      if (!requestId || label === undefined || label === '') {
        report.malformedRows++;
        continue;
      }
      if (policy.task === 'regression' && !Number.isFinite(targetValue(label))) {
        report.malformedRows++;
        continue;
      }
      const row = scored.get(requestId);
      if (!row) report.unknownRequestIds++;
      else report.rows.push({ ...row, requestId, label });
    }
  }
  report.labelled = report.rows.length;
  if (report.unreadableFiles.length)
    report.reasons.push(`${report.unreadableFiles.length} label files unreadable (first: ${report.unreadableFiles[0]})`);
  if (report.unknownRequestIds) report.reasons.push(`${report.unknownRequestIds} labels name request ids not scored in the window`);
  if (report.labelled < minLabels) {
    // No ground truth at all is the normal case, not worth a line in every report.
    if (files.length) report.reasons.push(`${report.labelled} labelled requests; model quality needs ${minLabels}`);
    return report;
  }
  report.insufficientLabels = false;
  const regression = policy.task === 'regression';
  report.metrics = regression ? regressionQuality(report.rows) : qualityMetrics(report.rows);
  if (regression && report.malformedRows) report.reasons.push(`${report.malformedRows} label rows had no numeric '${labelColumn}'`);
  for (const [name, value] of Object.entries(report.metrics)) {
    const reference = expected[name];
    if (reference === undefined) continue;
    const isError = name === 'rmse' || name === 'mae';
    if (isError ? value > reference * (1 + maxDrop) : reference - value > maxDrop) {
      report.degraded = true;
      report.reasons.push(
        isError
          ? `${name} ${value.toFixed(3)} in production vs ${reference.toFixed(3)} at evaluation (more than ${Math.round(maxDrop * 100)}% larger)`
          : `${name} ${value.toFixed(3)} in production vs ${reference.toFixed(3)} at evaluation (drop > ${maxDrop})`,
      );
    }
  }
  return report;
}

/** rmse, mae and r2 of the labelled requests; a prediction that is not a number (nor a numeric string) counts as unusable, not as 0. */
function regressionQuality(rows: readonly LabelledRow[]): Record<string, number> {
  // Numeric strings are read as the evaluation reads them (predictionAsNumber): a scorer that
  // json.dumps numpy values answers "151.2", and skipping those left the report silently empty.
  const usable = rows.flatMap((r) => {
    const prediction = predictionAsNumber(r.prediction);
    return Number.isFinite(prediction) ? [{ label: targetValue(r.label), prediction }] : [];
  });
  if (usable.length === 0) return {};
  const labels = usable.map((r) => r.label);
  const { rmse, mae, r2 } = regressionMetrics(
    labels,
    usable.map((r) => r.prediction),
  );
  // Labels all equal: r2 is undefined (regressionMetrics says 0 or 1), and a 0 would read as a drop.
  return labels.every((v) => v === labels[0]) ? { rmse, mae } : { rmse, mae, r2 };
}

function qualityMetrics(rows: readonly LabelledRow[]): Record<string, number> {
  const truth = rows.map((r) => r.label);
  const predicted = rows.map((r) => String(r.prediction));
  const metrics: Record<string, number> = { accuracy: accuracy(truth, predicted) };
  const classes = [...new Set([...truth, ...predicted])].sort();
  if (classes.length === 2) {
    const positive = classes[1]!;
    const tp = rows.filter((_, i) => predicted[i] === positive && truth[i] === positive).length;
    const predictedPositive = predicted.filter((p) => p === positive).length;
    const actualPositive = truth.filter((t) => t === positive).length;
    if (predictedPositive) metrics.precision = tp / predictedPositive;
    if (actualPositive) metrics.recall = tp / actualPositive;
    if (rows.every((r) => r.probabilities?.length === 2) && actualPositive > 0 && actualPositive < rows.length) {
      metrics.auc = rocAuc(
        truth.map((t) => t === positive),
        rows.map((r) => r.probabilities![1]!),
      );
    }
  }
  return metrics;
}
