import { parse } from 'csv-parse/sync';
import { toScoreRequest } from '../../data/split';
import type { ScoreRequest } from '../../ports';
import type { StageBasics } from '../context';
import type { Release } from '../types';

export interface Holdout {
  columns: string[];
  rows: string[][];
  labelIndex: number;
}

/** The release's held-out rows, as written by `validate`; only the first `maxRows` are parsed when given. */
export async function readHoldout(release: Release, ctx: StageBasics, maxRows?: number): Promise<Holdout> {
  const name = release.data?.holdoutBlob;
  if (!name) throw new Error('the release has no holdout split; validate did not run');
  const { content } = await ctx.data.read({ container: ctx.settings.artifactsContainer, name });
  // The header is a record too; shadow and canary looks ask for 200 rows every few seconds.
  const [columns, ...rows] = parse(content, {
    bom: true,
    skip_empty_lines: true,
    ...(maxRows !== undefined ? { to: maxRows + 1 } : {}),
  }) as string[][];
  return { columns: columns!, rows, labelIndex: columns!.indexOf(ctx.pipeline.data.labelColumn) };
}

/** Up to `maxRows` held-out rows as a scoring request (label removed): smoke tests and synthetic load. */
export async function holdoutRequest(release: Release, ctx: StageBasics, maxRows: number): Promise<ScoreRequest> {
  const holdout = await readHoldout(release, ctx, maxRows);
  return toScoreRequest(holdout.columns, holdout.rows, holdout.labelIndex);
}

/** One row of a request as a request of its own. */
export function rowRequest(request: ScoreRequest, index: number): ScoreRequest {
  const data = request.input_data.data;
  return { input_data: { columns: request.input_data.columns, data: [data[index % data.length]!] } };
}
