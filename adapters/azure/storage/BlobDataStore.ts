import type { BlobItem, BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { NotFoundError } from '../../../shared/errors';
import type { BlobInfo, BlobRef, BlobWriter, DataStore } from '../../../shared/ports';
import { openBlobWriter, readBlobStream } from './blobStreams';
import { statusOf } from './restStatus';

export interface BlobDataStoreOptions {
  /** Blobs per listing page (the service caps it at 5000). @default 5000 */
  listPageSize?: number;
}

/**
 * Blob Storage as the core's DataStore. The same code talks to Azure and to Azurite;
 * only the BlobServiceClient differs. eTags are returned as the service gives them:
 * quoted from read/write/getInfo, bare from listings; compare them with `sameETag`.
 */
export class BlobDataStore implements DataStore {
  /** Containers this instance already created, so writes skip the extra round trip. */
  private readonly knownContainers = new Set<string>();

  private readonly listPageSize: number;

  constructor(
    private readonly service: BlobServiceClient,
    options: BlobDataStoreOptions = {},
  ) {
    this.listPageSize = options.listPageSize ?? 5000;
  }

  async read(ref: BlobRef): Promise<{ content: Buffer; info: BlobInfo }> {
    const blob = this.container(ref.container).getBlobClient(ref.name);
    try {
      // One download gives content and the eTag of exactly that content.
      const response = await blob.download();
      const content = await streamToBuffer(response.readableStreamBody);
      const info: BlobInfo = {
        ...ref,
        url: blob.url,
        eTag: response.etag ?? '',
        contentLength: response.contentLength ?? content.length,
      };
      if (response.contentType) info.contentType = response.contentType;
      if (response.lastModified) info.lastModified = response.lastModified.toISOString();
      return { content, info };
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new NotFoundError('Blob', `${ref.container}/${ref.name}`, `Check the container and blob name at ${blob.url}`);
      }
      throw error;
    }
  }

  async getInfo(ref: BlobRef): Promise<BlobInfo | undefined> {
    const blob = this.container(ref.container).getBlobClient(ref.name);
    try {
      const properties = await blob.getProperties();
      const info: BlobInfo = { ...ref, url: blob.url, eTag: properties.etag ?? '', contentLength: properties.contentLength ?? 0 };
      if (properties.contentType) info.contentType = properties.contentType;
      if (properties.lastModified) info.lastModified = properties.lastModified.toISOString();
      return info;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async write(ref: BlobRef, content: Buffer | string, options: { contentType?: string } = {}): Promise<BlobInfo> {
    const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const container = this.container(ref.container);
    const blob = container.getBlockBlobClient(ref.name);
    const upload = () =>
      blob.upload(body, body.length, options.contentType ? { blobHTTPHeaders: { blobContentType: options.contentType } } : {});
    let response;
    try {
      response = await upload();
    } catch (error) {
      // Only a missing container is worth creating; anything else is the caller's problem.
      if (statusOf(error) !== 404 || this.knownContainers.has(ref.container)) throw error;
      await container.createIfNotExists();
      this.knownContainers.add(ref.container);
      response = await upload();
    }
    const info: BlobInfo = { ...ref, url: blob.url, eTag: response.etag ?? '', contentLength: body.length };
    if (options.contentType) info.contentType = options.contentType;
    if (response.lastModified) info.lastModified = response.lastModified.toISOString();
    return info;
  }

  readStream(ref: BlobRef, options: { ifMatch?: string } = {}): Promise<{ chunks: AsyncIterable<Uint8Array>; info: BlobInfo }> {
    return readBlobStream(this.container(ref.container).getBlobClient(ref.name), ref, options.ifMatch);
  }

  openWrite(ref: BlobRef, options: { contentType?: string } = {}): BlobWriter {
    // A stream cannot be replayed after a 404, so the container is made sure of first.
    const ensure = async () => {
      if (this.knownContainers.has(ref.container)) return;
      await this.container(ref.container).createIfNotExists();
      this.knownContainers.add(ref.container);
    };
    return openBlobWriter(this.container(ref.container), ref, ensure, options.contentType);
  }

  /** All blobs under `prefix`, following every page of the listing. */
  async list(container: string, prefix: string): Promise<BlobInfo[]> {
    const client = this.container(container);
    const blobs: BlobInfo[] = [];
    try {
      for await (const page of client.listBlobsFlat({ prefix }).byPage({ maxPageSize: this.listPageSize })) {
        for (const item of page.segment.blobItems) blobs.push(toBlobInfo(client, item));
      }
    } catch (error) {
      // A container nobody wrote to yet simply holds no blobs.
      if (statusOf(error) === 404) return [];
      throw error;
    }
    return blobs;
  }

  urlOf(ref: BlobRef): string {
    return this.container(ref.container).getBlobClient(ref.name).url;
  }

  private container(name: string): ContainerClient {
    return this.service.getContainerClient(name);
  }
}

function toBlobInfo(client: ContainerClient, item: BlobItem): BlobInfo {
  const info: BlobInfo = {
    container: client.containerName,
    name: item.name,
    url: client.getBlobClient(item.name).url,
    eTag: item.properties.etag,
    contentLength: item.properties.contentLength ?? 0,
  };
  if (item.properties.contentType) info.contentType = item.properties.contentType;
  info.lastModified = item.properties.lastModified.toISOString();
  return info;
}

async function streamToBuffer(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
