import { createHash } from 'node:crypto';
import type { PipelineConfig } from '../config/schema';
import { ConcurrencyError, DataValidationError, ensureError, NotFoundError } from '../errors';
import { normalizeETag } from '../events/blobCreated';
import type { BlobInfo, BlobRef, DataStore } from '../ports';
import { eachCsvRecord } from './eachCsvRecord';
import { toCsvLine } from './split';

export type TrainingSetPolicy = PipelineConfig['data']['trainingSet'];

/** One file of a training set, as the model's lineage records it. */
export interface TrainingSetSource {
  blob: string;
  eTag: string;
  sha256: string;
  rows: number;
}

export interface TrainingSet {
  /** The union, one CSV with the files' common header. */
  blob: BlobInfo;
  sources: TrainingSetSource[];
}

const TRAINING_FILE = /\.(csv|txt)$/i;

/** Beyond this a set is refused: the release record lists every file, and stays readable. */
export const MAX_TRAINING_SET_FILES = 1000;

/** Whether releases of this policy train on more than the file that arrived. */
export function trainsOnUnion(policy: TrainingSetPolicy): boolean {
  return policy !== 'latest';
}

/**
 * The data a release with `data.trainingSet: all | {windowDays}` trains on: every training
 * file under the pipeline's prefix (within the window, and always the file that arrived),
 * in name order, concatenated under their common header into `target`.
 *
 * Name order, not arrival order: the same set of files gives the same bytes, so the same
 * split and the same model, whichever order they landed in. Every file must have the
 * arriving file's header; one that does not is named, with what to do. Each file is
 * streamed once, pinned to the eTag it was listed with, and hashed as it is read.
 */
export async function buildTrainingSet(
  data: DataStore,
  policy: PipelineConfig['data'],
  arrived: BlobRef & { eTag: string; contentLength: number },
  target: BlobRef,
  now: Date,
): Promise<TrainingSet> {
  const windowDays = typeof policy.trainingSet === 'object' ? policy.trainingSet.windowDays : undefined;
  const since = windowDays === undefined ? '' : new Date(now.getTime() - windowDays * 86_400_000).toISOString();
  const listed = await data.list(policy.container, policy.prefix);
  const files = listed.filter((b) => b.name === arrived.name || (TRAINING_FILE.test(b.name) && (b.lastModified ?? '') >= since));
  // A listing that missed it (eventual listing after the event) still trains on it.
  const names = files.map((b) => ({
    name: b.name,
    eTag: b.eTag,
    bytes: b.name === arrived.name ? arrived.contentLength : b.contentLength,
  }));
  if (!names.some((b) => b.name === arrived.name)) names.push({ name: arrived.name, eTag: arrived.eTag, bytes: arrived.contentLength });
  names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (names.length > MAX_TRAINING_SET_FILES) {
    throw new DataValidationError(
      `${policy.container}/${policy.prefix}`,
      `the training set would hold ${names.length} files, over ${MAX_TRAINING_SET_FILES}; narrow it with data.trainingSet: { windowDays: N } or move old files out of the prefix`,
    );
  }

  // What the listing says is enough to refuse an oversized set, before gigabytes are read and written.
  const limit = policy.maxMegabytes * 1024 * 1024;
  const listedBytes = names.reduce((sum, f) => sum + f.bytes, 0);
  if (listedBytes > limit) throw tooLarge(policy, names.length, listedBytes);

  const expected = await headerOf(data, arrived);
  const writer = data.openWrite(target, { contentType: 'text/csv' });
  const sources: TrainingSetSource[] = [];
  let written = 0;
  const write = (line: string) => {
    written += Buffer.byteLength(line);
    if (written > limit) throw tooLarge(policy, names.length, written);
    return writer.write(line);
  };
  try {
    await write(toCsvLine(expected));
    for (const file of names) {
      const eTag = file.name === arrived.name ? arrived.eTag : file.eTag;
      const ref = { container: arrived.container, name: file.name };
      const source = await appendFile(data, ref, eTag, expected, arrived.name, write);
      if (source) sources.push(source);
    }
  } catch (error) {
    await writer.abort(ensureError(error));
    throw error;
  }
  return { blob: await writer.close(), sources };
}

function tooLarge(policy: PipelineConfig['data'], files: number, bytes: number): DataValidationError {
  return new DataValidationError(
    `${policy.container}/${policy.prefix}`,
    `the training set of ${files} files is ${(bytes / 1048576).toFixed(1)} MB or more, over data.maxMegabytes (${policy.maxMegabytes}); narrow it with data.trainingSet: { windowDays: N }`,
  );
}

async function headerOf(data: DataStore, blob: BlobRef & { eTag: string }): Promise<string[]> {
  let header: string[] | undefined;
  await eachCsvRecord(data, blob, (record) => ((header = record), 'stop'), { ifMatch: blob.eTag });
  if (!header) throw new DataValidationError(`${blob.container}/${blob.name}`, 'the file is empty; it needs a header row');
  return header;
}

async function appendFile(
  data: DataStore,
  blob: BlobRef,
  eTag: string,
  expected: string[],
  arrived: string,
  write: (line: string) => Promise<void>,
): Promise<TrainingSetSource | undefined> {
  const where = `${blob.container}/${blob.name}`;
  const hash = createHash('sha256');
  let records: number;
  try {
    records = await eachCsvRecord(
      data,
      blob,
      (record, line) => {
        if (line > 1) return write(toCsvLine(record));
        if (record.join('\u0000') !== expected.join('\u0000')) {
          throw new DataValidationError(
            where,
            `its columns [${record.join(', ')}] are not those of ${arrived} [${expected.join(', ')}]; with data.trainingSet ` +
              'every file under the prefix must share one header: move that file out of the prefix, or train on the latest file only (data.trainingSet: latest)',
          );
        }
        return undefined;
      },
      { ifMatch: eTag, onChunk: (chunk) => hash.update(chunk) },
    );
  } catch (error) {
    if (error instanceof ConcurrencyError)
      throw new ConcurrencyError(`${where} (overwritten while the training set was read; the newer version has its own release)`);
    // Moved out of the prefix after the listing (as a refusal may have advised): not part of the set.
    if (error instanceof NotFoundError && blob.name !== arrived) return undefined;
    throw error;
  }
  return { blob: blob.name, eTag: normalizeETag(eTag), sha256: hash.digest('hex'), rows: Math.max(0, records - 1) };
}
