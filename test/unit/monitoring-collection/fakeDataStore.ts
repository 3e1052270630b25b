import { createHash } from 'node:crypto';
import { NotFoundError } from '../../../shared/errors';
import { openWriteViaWrite, readStreamViaRead } from '../../fakes/wholeBlobStreams';
import type { BlobInfo, BlobRef, DataStore } from '../../../shared/ports';

/** An in-memory DataStore that records its writes and fails them while `down` is set. */
export class FakeDataStore implements DataStore {
  readonly blobs = new Map<string, string>();
  readonly writes: BlobRef[] = [];
  down = false;
  /** Writes never answer while set (a storage that hangs). */
  hang = false;
  failedWrites = 0;

  async read(ref: BlobRef) {
    const content = this.blobs.get(`${ref.container}/${ref.name}`);
    if (content === undefined) throw new NotFoundError('blob', `${ref.container}/${ref.name}`);
    return { content: Buffer.from(content), info: this.info(ref, content) };
  }
  async getInfo(ref: BlobRef) {
    const content = this.blobs.get(`${ref.container}/${ref.name}`);
    return content === undefined ? undefined : this.info(ref, content);
  }
  async write(ref: BlobRef, content: Buffer | string) {
    if (this.hang) await new Promise(() => {});
    if (this.down) {
      this.failedWrites++;
      throw new Error('connect ECONNREFUSED 127.0.0.1:10000');
    }
    this.writes.push(ref);
    this.blobs.set(`${ref.container}/${ref.name}`, content.toString());
    return this.info(ref, content.toString());
  }
  readStream(ref: BlobRef, options: { ifMatch?: string } = {}) {
    return readStreamViaRead(this, ref, options);
  }
  openWrite(ref: BlobRef, options: { contentType?: string } = {}) {
    return openWriteViaWrite(this, ref, options);
  }
  async list(container: string, prefix: string) {
    return [...this.blobs.entries()]
      .filter(([key]) => key.startsWith(`${container}/${prefix}`))
      .map(([key, content]) => this.info({ container, name: key.slice(container.length + 1) }, content));
  }
  urlOf(ref: BlobRef) {
    return `http://blob.test/${ref.container}/${ref.name}`;
  }
  /** The blobs of a container, name → content. */
  contents(container: string): Record<string, string> {
    return Object.fromEntries(
      [...this.blobs].filter(([key]) => key.startsWith(`${container}/`)).map(([key, c]) => [key.slice(container.length + 1), c]),
    );
  }
  private info(ref: BlobRef, content: string): BlobInfo {
    // Content-derived, so an overwritten blob has a new eTag as in Storage.
    return {
      ...ref,
      url: this.urlOf(ref),
      eTag: `"0x${createHash('md5').update(content).digest('hex').slice(0, 12)}"`,
      contentLength: content.length,
    };
  }
}

/** A logger that keeps what it was told, to assert on warnings (and on what they leave out). */
export function recordingLogger() {
  const lines: { level: string; message: string; properties?: Record<string, unknown> }[] = [];
  const log = (level: string) => (message: string, properties?: Record<string, unknown>) =>
    lines.push({ level, message, ...(properties ? { properties } : {}) });
  return { lines, logger: { info: log('info'), warn: log('warn'), error: log('error') }, text: () => JSON.stringify(lines) };
}
