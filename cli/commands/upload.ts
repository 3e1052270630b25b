import { statSync } from 'node:fs';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { Command } from 'commander';
import { sameETag } from '../../shared/events/eTag';
import { codeOf, statusOf } from '../../adapters/azure/storage/restStatus';
import type { ApiClient } from '../apiClient';
import type { PipelineSummary, ReleaseView } from '../apiSchemas';
import { uploadBlobName, withoutQuery } from '../blobName';
import type { CommandContext } from '../context';
import { CliError, EXIT } from '../errors';
import { printJson, printLines, withoutStdout, type CliIo } from '../io';
import { parseSeconds } from '../parsers';
import { watchReleases } from '../watchReleases';
import { progressReporter } from './uploadProgress';
import { ensureError } from '../../shared/errors';

interface UploadOptions {
  pipeline: string;
  name?: string;
  wait?: boolean;
  json?: boolean;
  connectionString?: string;
  interval: number;
  timeout: number;
}

export function registerUploadCommand(program: Command, context: CommandContext): void {
  program
    .command('upload')
    .description("Upload a training data file into the pipeline's container/prefix; the blob event starts a release")
    .argument('<file>', 'CSV file with the label column')
    .option('-p, --pipeline <name>', 'pipeline whose data container/prefix receives the file', 'default')
    .option('--name <blob>', "blob name under the pipeline's prefix (default: the file's name)")
    .option('--wait', 'follow the release this upload starts until it ends; exit 1 unless it succeeds')
    .option(
      '--connection-string <value>',
      'storage connection string (default: env AZURE_STORAGE_CONNECTION_STRING, else AUTOPILOT_STORAGE_CONNECTION_STRING, else UseDevelopmentStorage=true)',
    )
    .option('--json', 'print only JSON: the uploaded blob (and with --wait the release)')
    .option('--interval <seconds>', 'refresh interval with --wait', parseSeconds, 1)
    .option('--timeout <seconds>', 'with --wait, how long to wait for the release to appear', parseSeconds, 120)
    .action(async (file: string, options: UploadOptions, command: Command) => {
      const size = fileSize(file);
      const api = context.api(command);
      const pipeline = findPipeline((await api.health()).pipelines, options.pipeline);
      const name = uploadBlobName(pipeline.prefix, file, options.name);
      // AUTOPILOT_STORAGE_CONNECTION_STRING is what the local stack tells you to set when it runs on custom ports.
      const connectionString =
        options.connectionString ??
        context.io.env.AZURE_STORAGE_CONNECTION_STRING ??
        context.io.env.AUTOPILOT_STORAGE_CONNECTION_STRING ??
        'UseDevelopmentStorage=true';
      const service = blobService(connectionString);
      const container = service.getContainerClient(pipeline.container);
      const blob = container.getBlockBlobClient(name);

      const eTag = await uploadFile(container, name, file, size, api.baseUrl, context.io);
      const uploaded = { container: pipeline.container, name, url: withoutQuery(blob.url), eTag, contentLength: size };
      if (!options.json) printLines(context.io, [`Uploaded ${file} (${size} bytes) to ${uploaded.url}`, `eTag ${eTag}`]);
      if (!options.wait) {
        if (options.json) printJson(context.io, uploaded);
        return;
      }
      const release = await followUpload(api, context.io, pipeline.name, uploaded, options);
      if (options.json) printJson(context.io, { ...uploaded, release });
      if (release.status !== 'succeeded') {
        throw new CliError(`Release ${release.id} ended ${release.status}${release.reason ? `: ${release.reason}` : ''}`);
      }
    });
}

function blobService(connectionString: string): BlobServiceClient {
  try {
    return BlobServiceClient.fromConnectionString(connectionString, { retryOptions: { maxTries: 3, retryDelayInMs: 300 } });
  } catch (error) {
    // Never echo the string itself: it holds the account key.
    throw new CliError(
      `The storage connection string is not usable (${ensureError(error).message.split('\n')[0]}); expected e.g. UseDevelopmentStorage=true or DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...`,
    );
  }
}

function fileSize(file: string): number {
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`File not found: ${file}`);
    throw new CliError(`Cannot read ${file}: ${ensureError(error).message}`);
  }
  if (!stats.isFile()) throw new CliError(`${file} is not a file; upload one CSV file at a time`);
  return stats.size;
}

function findPipeline(pipelines: readonly PipelineSummary[], name: string): PipelineSummary {
  const pipeline = pipelines.find((p) => p.name === name);
  if (!pipeline) {
    const known = pipelines.map((p) => p.name).join(', ') || '(none)';
    throw new CliError(`Unknown pipeline '${name}'. Known pipelines: ${known}. Pick one with --pipeline.`);
  }
  return pipeline;
}

async function uploadFile(
  container: ContainerClient,
  name: string,
  file: string,
  size: number,
  apiUrl: string,
  io: CliIo,
): Promise<string> {
  const blob = container.getBlockBlobClient(name);
  const progress = progressReporter(io.stderr, file, size);
  const upload = () =>
    blob.uploadFile(file, { blobHTTPHeaders: { blobContentType: 'text/csv' }, ...(progress ? { onProgress: progress.update } : {}) });
  try {
    let response;
    try {
      response = await upload();
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      // The stack creates the container on start; against a fresh account we do it here.
      await container.createIfNotExists();
      response = await upload();
    }
    progress?.done();
    return response.etag ?? '';
  } catch (error) {
    progress?.done();
    throw storageError(error, withoutQuery(blob.url), apiUrl);
  }
}

function storageError(error: unknown, url: string, apiUrl: string): Error {
  const status = statusOf(error);
  if (status === 403)
    return new CliError(
      `Blob Storage refused the credentials for ${url} (403 ${codeOf(error) ?? ''}); check --connection-string`,
      EXIT.auth,
    );
  if (status === undefined) {
    const endpoint = new URL(url).origin;
    const problem = /ECONNREFUSED/.test(String(ensureError(error).message))
      ? 'connection refused'
      : (ensureError(error).message ?? String(error));
    return new CliError(
      `Cannot reach Blob Storage at ${endpoint} (${problem}). The autopilot API at ${apiUrl} answers, so the stack is running; ` +
        'point the upload at its storage with --connection-string or AZURE_STORAGE_CONNECTION_STRING ' +
        '(UseDevelopmentStorage=true means the default port 10000; a stack started with --blob-port prints the one to use).',
      EXIT.unreachable,
    );
  }
  return new CliError(`Upload to ${url} failed: ${status} ${codeOf(error) ?? ''} ${ensureError(error).message.split('\n')[0]}`);
}

async function followUpload(
  api: ApiClient,
  io: CliIo,
  pipeline: string,
  uploaded: { container: string; name: string; eTag: string },
  options: UploadOptions,
): Promise<ReleaseView> {
  let releaseId: string | undefined;
  const load = async (): Promise<ReleaseView[]> => {
    if (releaseId) return [(await api.getRelease(releaseId)).release];
    const match = (await api.listReleases({ pipeline, limit: 50 })).find((r) => sameETag(r.data?.eTag, uploaded.eTag));
    releaseId = match?.id;
    return match ? [match] : [];
  };
  const shown = await watchReleases(options.json ? withoutStdout(io) : io, load, {
    intervalMs: options.interval * 1000,
    emptyMessage: `Waiting for the release of ${uploaded.container}/${uploaded.name}…`,
    appearTimeout: {
      ms: options.timeout * 1000,
      message:
        `No release started for ${uploaded.container}/${uploaded.name} within ${options.timeout} s. ` +
        'Check the host log: is the blob trigger running, and does the blob match the pipeline prefix?',
    },
  });
  return shown[0]!;
}
