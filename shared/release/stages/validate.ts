import { ConcurrencyError, DataValidationError } from '../../errors';
import { normalizeETag } from '../../events/blobCreated';
import { describeNonFinite } from '../../data/columnStats';
import { inThreadDataGate } from '../../data/dataGate';
import type { CsvProfile } from '../../data/csvScan';
import { planSplit, type SplitCounts, type SplitPlan } from '../../data/holdoutSplit';
import type { BlobRef } from '../../ports';
import { trainingRowsBlobOf, trainingRowsHeader } from '../../data/trainingRows';
import { buildTrainingSet, trainsOnUnion, type TrainingSet } from '../../data/trainingSet';
import type { StageContext, StageHandler } from '../context';

const TEXT_EXTENSIONS = new Set(['csv', 'txt', '']);

/**
 * The data gate: refuse bad data with a reason, then write a train/holdout split by
 * content (the same row lands on the same side in every release: shared/data/holdoutSplit.ts)
 * and the hashes of the rows trained on (for later comparisons, docs/holdout.md). The blob is read twice as a stream (checks and counts, then the split; see
 * HoldoutSplitter), never held whole, and parsed where `ctx.dataGate` says (the host:
 * a worker thread), so a file at data.maxMegabytes costs megabytes, not gigabytes.
 */
export const validate: StageHandler = async (release, ctx) => {
  const data = release.data;
  if (!data) return { kind: 'end', status: 'failed', reason: 'release has no data reference' };
  const where = `${data.container}/${data.blob}`;
  const reject = (reason: string) => ({ kind: 'end', status: 'rejected', reason: `${where}: ${reason}` }) as const;
  const overwritten = (eTag: string) =>
    reject(`the blob was overwritten since this release started (eTag ${data.eTag} -> ${eTag}); the newer version has its own release`);

  const extension = /\.([A-Za-z0-9]+)$/.exec(data.blob.split('/').at(-1) ?? '')?.[1]?.toLowerCase() ?? '';
  if (!TEXT_EXTENSIONS.has(extension)) {
    return reject(`only CSV files are supported (got .${extension}); export the data as CSV with a header row`);
  }
  const arrived = { container: data.container, name: data.blob };
  const arrivedInfo = await ctx.data.getInfo(arrived);
  if (!arrivedInfo) return reject('the blob no longer exists');
  if (normalizeETag(arrivedInfo.eTag) !== data.eTag) return overwritten(normalizeETag(arrivedInfo.eTag));
  const policy = ctx.pipeline.data;
  const limit = policy.maxMegabytes * 1024 * 1024;
  if (arrivedInfo.contentLength > limit) {
    return reject(`${(arrivedInfo.contentLength / 1048576).toFixed(1)} MB exceeds data.maxMegabytes (${policy.maxMegabytes})`);
  }
  const gate = ctx.dataGate ?? inThreadDataGate;
  const trainBlob = `releases/${release.id}/train.csv`;
  const holdoutBlob = `releases/${release.id}/holdout.csv`;
  const trainingRowsBlob = trainingRowsBlobOf(release.id);
  // A drift retrain's data (artifacts container) is already a union of the pipeline's files.
  const union = trainsOnUnion(policy.trainingSet) && data.container === policy.container;
  let source: BlobRef = arrived;
  let info = arrivedInfo;
  let scanned = where;
  let trainingSet: TrainingSet | undefined;
  let profile;
  let counts;
  try {
    if (union) {
      const target = { container: ctx.settings.artifactsContainer, name: `releases/${release.id}/training-set.csv` };
      trainingSet = await buildTrainingSet(
        ctx.data,
        policy,
        { ...arrived, eTag: arrivedInfo.eTag, contentLength: arrivedInfo.contentLength },
        target,
        ctx.clock.now(),
      );
      ({ blob: info } = trainingSet);
      source = target;
      scanned = `training set of ${trainingSet.sources.length} file(s) under ${policy.container}/${policy.prefix}`;
      // The model's lineage points at this list of every file with its eTag and SHA-256.
      await ctx.data.write(
        { container: target.container, name: manifestOf(release.id) },
        JSON.stringify({ files: trainingSet.sources }, null, 1),
        { contentType: 'application/json' },
      );
    }
    // Both reads are pinned to the eTag checked above: the split is of the file that was checked.
    const first = await ctx.data.readStream(source, { ifMatch: info.eTag });
    const { seed, holdoutFraction } = ctx.pipeline.evaluation;
    profile = await gate.scan(first.chunks, {
      blob: scanned,
      labelColumn: policy.labelColumn,
      minRows: policy.minRows,
      nonFinite: policy.nonFinite,
      seed,
      task: ctx.pipeline.task,
    });
    const plan = planSplit(profile, where, holdoutFraction);
    counts = await writeSplit(ctx, source, info.eTag, plan, { train: trainBlob, holdout: holdoutBlob, trainingRows: trainingRowsBlob });
  } catch (error) {
    if (error instanceof DataValidationError)
      return { kind: 'end', status: 'rejected', reason: error.message + (trainingSet ? rowsByFile(trainingSet) : '') };
    if (error instanceof ConcurrencyError) return union ? reject(`training set: ${error.message}`) : overwritten('a newer one');
    throw error;
  }
  const nonFinite =
    profile.nonFinite.length > 0 ? `; NaN/Infinity written as missing (data.nonFinite): ${describeNonFinite(profile.nonFinite)}` : '';
  const files = trainingSet ? `${trainingSet.sources.length} file(s), ` : '';
  return {
    kind: 'advance',
    detail: `${files}${profile.rows} rows, ${profile.columns.length - 1} features, ${labelSummary(profile)}; ${counts.holdoutRows} held out${nonFinite}`,
    patch: {
      data: {
        ...data,
        sha256: profile.sha256,
        rows: profile.rows,
        columns: profile.columns,
        trainBlob,
        holdoutBlob,
        holdoutRows: counts.holdoutRows,
        trainingRowsBlob,
        ...(trainingSet && { trainingSet: { blob: source.name, sources: trainingSet.sources } }),
      },
    },
  };
};

/**
 * The second pass, streamed into the train and holdout CSVs and the training rows' hashes
 * (shared/data/trainingRows.ts); none is committed unless the pass completes.
 */
async function writeSplit(
  ctx: StageContext,
  source: BlobRef,
  eTag: string,
  plan: SplitPlan,
  names: { train: string; holdout: string; trainingRows: string },
): Promise<SplitCounts> {
  const container = ctx.settings.artifactsContainer;
  const second = await ctx.data.readStream(source, { ifMatch: eTag });
  const train = ctx.data.openWrite({ container, name: names.train }, { contentType: 'text/csv' });
  const holdout = ctx.data.openWrite({ container, name: names.holdout }, { contentType: 'text/csv' });
  const trainingRows = ctx.data.openWrite({ container, name: names.trainingRows }, { contentType: 'application/octet-stream' });
  const writers = [train, holdout, trainingRows];
  try {
    await trainingRows.write(trainingRowsHeader(plan.columns, plan.labelIndex));
    const counts = await (ctx.dataGate ?? inThreadDataGate).split(second.chunks, plan, async (piece) => {
      if (piece.train) await train.write(piece.train);
      if (piece.holdout) await holdout.write(piece.holdout);
      if (piece.trainHashes.byteLength > 0) await trainingRows.write(piece.trainHashes);
    });
    await Promise.all(writers.map((w) => w.close()));
    return counts;
  } catch (error) {
    const reason = error instanceof Error ? error : new Error(String(error));
    await Promise.all(writers.map((w) => w.abort(reason)));
    throw error;
  }
}

/** The list of a release's training-set files (artifacts container). */
export function manifestOf(releaseId: string): string {
  return `releases/${releaseId}/training-set.json`;
}

/** Where the union's data rows came from, so a row number in a gate's reason leads to a file. */
function rowsByFile(set: TrainingSet): string {
  let first = 1;
  const ranges = set.sources.map((s) => {
    const range = `${s.blob} ${s.rows ? `${first}-${first + s.rows - 1}` : 'no rows'}`;
    first += s.rows;
    return range;
  });
  const shown = ranges.length > 20 ? [...ranges.slice(0, 20), `and ${ranges.length - 20} more`] : ranges;
  return ` (data rows of the training set by file: ${shown.join(', ')})`;
}

/** "3 classes", or a regression target's range: "target from 25 to 346". */
function labelSummary(profile: CsvProfile): string {
  return profile.target ? `target from ${profile.target.min} to ${profile.target.max}` : `${profile.classCounts.length} classes`;
}
