import { odata, type TableClient } from '@azure/data-tables';
import { AlreadyExistsError, ConcurrencyError } from '../../../shared/errors';
import type { StateTable, Versioned } from '../../../shared/ports';
import { fromEntityChunks, toEntityChunks } from './entityChunks';
import { statusOf } from './restStatus';
import { validateTableKey } from './tableKey';

/**
 * A StateTable on Azure Table Storage (or Azurite): one table, values as chunked JSON
 * (see entityChunks), optimistic concurrency with the service's entity ETags. ETags are
 * opaque here: hand back exactly what `get`/`insert`/`replace` returned.
 */
export class TableStateTable implements StateTable {
  private ready: Promise<void> | undefined;

  constructor(private readonly client: TableClient) {}

  get name(): string {
    return this.client.tableName;
  }

  async get<T>(partition: string, row: string): Promise<Versioned<T> | undefined> {
    this.check(partition, row);
    await this.ensureTable();
    try {
      const entity = await this.client.getEntity<Record<string, unknown>>(partition, row);
      return { value: fromEntityChunks<T>(entity, this.where(partition, row)), etag: entity.etag };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async insert<T>(partition: string, row: string, value: T): Promise<Versioned<T>> {
    this.check(partition, row);
    const properties = toEntityChunks(value, this.where(partition, row));
    await this.ensureTable();
    try {
      const response = await this.client.createEntity({ partitionKey: partition, rowKey: row, ...properties });
      return { value, etag: response.etag ?? '' };
    } catch (error) {
      if (statusOf(error) === 409) throw new AlreadyExistsError(this.where(partition, row));
      throw error;
    }
  }

  /**
   * Replaces the row only if it still has `etag`. A row deleted meanwhile also counts as a
   * lost race (ConcurrencyError): the caller's fresh read will then find it gone.
   */
  async replace<T>(partition: string, row: string, value: T, etag: string): Promise<Versioned<T>> {
    this.check(partition, row);
    const properties = toEntityChunks(value, this.where(partition, row));
    await this.ensureTable();
    try {
      // 'Replace' drops chunks a longer previous value left behind.
      const response = await this.client.updateEntity({ partitionKey: partition, rowKey: row, ...properties }, 'Replace', { etag });
      return { value, etag: response.etag ?? '' };
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 404) throw new ConcurrencyError(this.where(partition, row));
      throw error;
    }
  }

  /** Rows of one partition in row-key order, starting at `fromRow` (inclusive). */
  async list<T>(partition: string, options: { limit?: number; fromRow?: string } = {}): Promise<Versioned<T>[]> {
    this.check(partition, options.fromRow ?? '');
    await this.ensureTable();
    const filter =
      options.fromRow === undefined
        ? odata`PartitionKey eq ${partition}`
        : odata`PartitionKey eq ${partition} and RowKey ge ${options.fromRow}`;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const rows: Versioned<T>[] = [];
    if (limit <= 0) return rows;
    const pageSize = Number.isFinite(limit) ? Math.min(limit, 1000) : 1000;
    const pages = this.client.listEntities<Record<string, unknown>>({ queryOptions: { filter } }).byPage({ maxPageSize: pageSize });
    for await (const page of pages) {
      for (const entity of page) {
        rows.push({ value: fromEntityChunks<T>(entity, this.where(partition, String(entity.rowKey))), etag: entity.etag });
        if (rows.length >= limit) return rows;
      }
    }
    return rows;
  }

  /** Deleting a row that is not there is not an error (idempotent clean-up). */
  async delete(partition: string, row: string): Promise<void> {
    this.check(partition, row);
    await this.ensureTable();
    try {
      await this.client.deleteEntity(partition, row);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }

  /** Creates the table once per instance; `createTable` ignores "already exists". */
  private ensureTable(): Promise<void> {
    this.ready ??= this.client.createTable().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private check(partition: string, row: string): void {
    validateTableKey(this.name, 'partition', partition);
    validateTableKey(this.name, 'row', row);
  }

  private where(partition: string, row: string): string {
    return `${this.name}/${partition}/${row}`;
  }
}
