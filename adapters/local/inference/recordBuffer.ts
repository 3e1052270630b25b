import type { InferenceRecord } from '../../../shared/monitoring/inferenceRecord';

/**
 * Records waiting to be written, per endpoint, with one bound on their total. Over the
 * bound the oldest records of the fullest endpoint go first (recent data matters most to
 * monitors), a tenth of the bound at a time so an outage does not cost a splice per record.
 */
export class RecordBuffer {
  private readonly byEndpoint = new Map<string, InferenceRecord[]>();
  private total = 0;

  constructor(
    private readonly maxRecords: number,
    /** Told how many records of an endpoint were thrown away. */
    private readonly onDrop: (endpoint: string, count: number) => void,
  ) {}

  get size(): number {
    return this.total;
  }

  /** Adds an endpoint's new records; returns how many of its records now wait. */
  add(endpoint: string, records: readonly InferenceRecord[]): number {
    const buffer = this.buffer(endpoint);
    for (const record of records) buffer.push(record);
    this.total += records.length;
    this.enforceBound();
    return this.byEndpoint.get(endpoint)?.length ?? 0;
  }

  /** Takes everything of every endpoint, leaving the buffer empty. */
  takeAll(): Map<string, InferenceRecord[]> {
    const taken = new Map([...this.byEndpoint].filter(([, records]) => records.length > 0));
    this.byEndpoint.clear();
    this.total = 0;
    return taken;
  }

  /** Puts records that could not be written back, ahead of newer ones. */
  putBack(endpoint: string, records: InferenceRecord[]): void {
    if (records.length === 0) return;
    this.byEndpoint.set(endpoint, records.concat(this.byEndpoint.get(endpoint) ?? []));
    this.total += records.length;
    this.enforceBound();
  }

  /** Empties the buffer, counting every record as dropped. */
  dropAll(): number {
    const dropped = this.total;
    for (const [endpoint, records] of this.takeAll()) this.onDrop(endpoint, records.length);
    return dropped;
  }

  private enforceBound(): void {
    if (this.total <= this.maxRecords) return;
    const target = Math.floor(this.maxRecords * 0.9);
    while (this.total > target) {
      const [endpoint, fullest] = [...this.byEndpoint].reduce((a, b) => (b[1].length > a[1].length ? b : a));
      const count = Math.min(fullest.length, this.total - target);
      fullest.splice(0, count);
      this.total -= count;
      this.onDrop(endpoint, count);
    }
  }

  private buffer(endpoint: string): InferenceRecord[] {
    let buffer = this.byEndpoint.get(endpoint);
    if (!buffer) this.byEndpoint.set(endpoint, (buffer = []));
    return buffer;
  }
}
