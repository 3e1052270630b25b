import { MAX_INSPECTED_BODY_BYTES } from './responseBody';

/**
 * The bytes of a request the router needs after passing it on: all of them when it copies the
 * request (mirrors, shadow), else no more than it inspects of an answer (for collection).
 * A class, not a closure made per request: the router's hot path keeps its allocations few.
 */
export class RequestCopy {
  private chunks: Buffer[] = [];
  private received = 0;

  constructor(private readonly whole: boolean) {}

  add(chunk: Buffer): void {
    this.received += chunk.length;
    if (this.whole || this.received <= MAX_INSPECTED_BODY_BYTES) this.chunks.push(chunk);
    else this.chunks = [];
  }

  /** Over MAX_INSPECTED_BODY_BYTES: not inspected (nor kept, unless whole). */
  get tooLarge(): boolean {
    return this.received > MAX_INSPECTED_BODY_BYTES;
  }

  /** What was kept; a single chunk (the usual small request) is not copied. */
  body(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
  }
}
