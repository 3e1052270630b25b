import { createHash } from 'node:crypto';
import { DataValidationError } from '../../errors';
import { normalizeETag } from '../../events/blobCreated';
import { splitHoldout, toCsv } from '../../data/split';
import { validateCsv } from '../../data/validateCsv';
import type { StageHandler } from '../context';

const TEXT_EXTENSIONS = new Set(['csv', 'txt', '']);

/** The data gate: refuse bad data with a reason, then write a reproducible train/holdout split. */
export const validate: StageHandler = async (release, ctx) => {
  const data = release.data;
  if (!data) return { kind: 'end', status: 'failed', reason: 'release has no data reference' };
  const where = `${data.container}/${data.blob}`;
  const reject = (reason: string) => ({ kind: 'end', status: 'rejected', reason: `${where}: ${reason}` }) as const;

  const extension = /\.([A-Za-z0-9]+)$/.exec(data.blob.split('/').at(-1) ?? '')?.[1]?.toLowerCase() ?? '';
  if (!TEXT_EXTENSIONS.has(extension)) {
    return reject(`only CSV files are supported (got .${extension}); export the data as CSV with a header row`);
  }
  const info = await ctx.data.getInfo({ container: data.container, name: data.blob });
  if (!info) return reject('the blob no longer exists');
  if (normalizeETag(info.eTag) !== data.eTag) {
    return reject(`the blob was overwritten since this release started (eTag ${data.eTag} -> ${normalizeETag(info.eTag)}); the newer version has its own release`);
  }
  const limit = ctx.pipeline.data.maxMegabytes * 1024 * 1024;
  if (info.contentLength > limit) {
    return reject(`${(info.contentLength / 1048576).toFixed(1)} MB exceeds data.maxMegabytes (${ctx.pipeline.data.maxMegabytes})`);
  }
  const { content } = await ctx.data.read({ container: data.container, name: data.blob });
  let table;
  try {
    table = validateCsv(content, where, { labelColumn: ctx.pipeline.data.labelColumn, minRows: ctx.pipeline.data.minRows });
  } catch (error) {
    if (error instanceof DataValidationError) return { kind: 'end', status: 'rejected', reason: error.message };
    throw error;
  }
  const { holdoutFraction, seed } = ctx.pipeline.evaluation;
  const split = splitHoldout(table, holdoutFraction, seed);
  const container = ctx.settings.artifactsContainer;
  const trainBlob = `releases/${release.id}/train.csv`;
  const holdoutBlob = `releases/${release.id}/holdout.csv`;
  await ctx.data.write({ container, name: trainBlob }, toCsv(table.columns, split.train), { contentType: 'text/csv' });
  await ctx.data.write({ container, name: holdoutBlob }, toCsv(table.columns, split.holdout), { contentType: 'text/csv' });
  return {
    kind: 'advance',
    detail: `${table.rows.length} rows, ${table.columns.length - 1} features, ${table.classes.length} classes; ${split.holdout.length} held out`,
    patch: {
      data: {
        ...data,
        sha256: createHash('sha256').update(content).digest('hex'),
        rows: table.rows.length,
        columns: table.columns,
        trainBlob,
        holdoutBlob,
        holdoutRows: split.holdout.length,
      },
    },
  };
};
