import { eachCsvRecord } from '../data/eachCsvRecord';
import type { BlobRef, DataStore } from '../ports';
import { BaselineProfiler, type BaselineProfile } from './stats';

/** The column the model's prediction is profiled under, beside the features. */
export const PREDICTION_COLUMN = '__prediction';

/** The rows a model was trained on: a CSV blob with a header, streamed (one chunk in memory). */
export interface TrainingRows {
  data: DataStore;
  blob: BlobRef;
}

/**
 * The baseline stored with a model version, what monitors compare prod inference data with.
 * Features: the rows the model was trained on (the release's train blob, streamed; the label and any column
 * the holdout's scoring request lacks are left out), so the
 * baseline is as large as the training set and not only its 20% holdout, whose sampling noise
 * alone read as drift on small data. Predictions: the model's answers on the held-out rows
 * (`columns`/`data`, typed as a scoring client sends them), since its answers on rows it was
 * trained on would be over-confident. Without `training` the features come from the holdout
 * rows as well (profiles written before 2026-12 were all made so).
 */
export async function profileForModel(
  columns: string[],
  data: unknown[][],
  predictions: unknown[],
  training?: TrainingRows,
  /** `regression`: predictions are numbers, profiled (and later judged for drift) as a numeric feature is. @default classification */
  task: 'classification' | 'regression' = 'classification',
): Promise<BaselineProfile> {
  const features = new BaselineProfiler(columns);
  let source: 'training' | 'holdout' = 'holdout';
  if (training) {
    let indices: number[] = [];
    await eachCsvRecord(training.data, training.blob, (record, line) => {
      if (line === 1) {
        indices = columns.map((c) => record.indexOf(c));
        const missing = columns.filter((_, i) => indices[i]! < 0);
        if (missing.length > 0)
          throw new RangeError(
            `${training.blob.container}/${training.blob.name} has no column ${missing.join(', ')} (the holdout has); validate writes both with one header`,
          );
        return undefined;
      }
      features.add(indices.map((i) => record[i]));
      return undefined;
    });
    source = 'training';
  } else {
    for (const row of data) features.add(row);
  }
  const predicted = new BaselineProfiler([PREDICTION_COLUMN], {
    prediction: PREDICTION_COLUMN,
    types: { [PREDICTION_COLUMN]: task === 'regression' ? 'numeric' : 'categorical' },
  });
  for (const p of predictions) predicted.add([p]);
  const profile = features.finish();
  return {
    ...profile,
    columns: [...columns, PREDICTION_COLUMN],
    prediction: predicted.finish().prediction,
    sources: { features: { kind: source, rows: profile.rows }, prediction: { kind: 'holdout', rows: predictions.length } },
  };
}
