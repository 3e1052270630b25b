import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { INFERENCE_CONTAINER } from '../shared/monitoring/inferenceRecord';

/**
 * The inference records the stack's collector has written for one endpoint, counted from the
 * blobs themselves: the router bench waits on them after its router blocks, so collection the
 * router put off while the CPUs were busy is done before the proxy is measured (not during it),
 * and shows that nothing was lost.
 */
export class CollectedRecords {
  private readonly container: ContainerClient;
  /** The collector writes each blob once: a blob counted stays counted. */
  private readonly counted = new Map<string, number>();

  constructor(
    connectionString: string,
    private readonly endpoint: string,
  ) {
    this.container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(INFERENCE_CONTAINER);
  }

  async count(): Promise<number> {
    if (!(await this.container.exists())) return 0;
    for await (const blob of this.container.listBlobsFlat({ prefix: `${this.endpoint}/` })) {
      if (this.counted.has(blob.name)) continue;
      const text = (await this.container.getBlobClient(blob.name).downloadToBuffer()).toString('utf8');
      this.counted.set(blob.name, text.split('\n').filter((line) => line.trim() !== '').length);
    }
    let total = 0;
    for (const records of this.counted.values()) total += records;
    return total;
  }

  /** Resolves with the ms it took until at least `records` are written; throws past `deadlineMs`. */
  async waitFor(records: number, deadlineMs = 120_000): Promise<number> {
    const started = performance.now();
    for (;;) {
      const now = await this.count();
      const elapsed = performance.now() - started;
      if (now >= records) return elapsed;
      if (elapsed > deadlineMs)
        throw new Error(`bench: the collector wrote ${now} of ${records} inference records of ${this.endpoint} in ${deadlineMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
