import { profileBaseline, type BaselineProfile } from './stats';

/** The column the model's prediction is profiled under, beside the features. */
export const PREDICTION_COLUMN = '__prediction';

/**
 * The baseline stored with a model version: its held-out feature rows (typed as a
 * scoring client sends them) and the predictions it made on them. Monitors compare prod
 * inference data with it.
 */
export function profileForModel(columns: string[], data: unknown[][], predictions: unknown[]): Promise<BaselineProfile> {
  const rows = data.map((row, i) => {
    const record: Record<string, unknown> = Object.fromEntries(columns.map((c, j) => [c, row[j]]));
    record[PREDICTION_COLUMN] = predictions[i];
    return record;
  });
  return profileBaseline([...columns, PREDICTION_COLUMN], rows, { prediction: PREDICTION_COLUMN });
}
