import { createHash } from 'node:crypto';
import { DataValidationError } from '../errors';
import { ColumnStats, describeNonFinite, type NonFiniteCount } from './columnStats';
import { BINARY_SNIFF_BYTES, CsvRecords, looksBinary } from './csvRecords';
import { checkLabels, MAX_CLASSES, tooManyClasses } from './labelChecks';
import { ClassEdges, type ClassEdge } from './classEdges';
import { featureOrder, rowHash } from './rowHash';
import { ALL_ROWS, TargetStats } from './targetChecks';

export type NonFinitePolicy = 'reject' | 'missing';

export interface ScanOptions {
  /** Where the data is, for messages ("container/blob"). */
  blob: string;
  labelColumn: string;
  /** @default 2 */
  minRows?: number;
  /** What NaN/Infinity in a numeric column do. @default 'reject' */
  nonFinite?: NonFinitePolicy;
  /** The split's seed (evaluation.seed): this pass finds each class's rows at the edges of the split. @default 0 */
  seed?: number;
  /** `regression`: the label is a number (checked per row), and the split has one stratum, ALL_ROWS. @default classification */
  task?: 'classification' | 'regression';
}

/** What the first pass learned: enough to plan the split and to describe the data. */
export interface CsvProfile {
  columns: string[];
  labelIndex: number;
  rows: number;
  /** [class, rows], sorted by class; under regression one entry, [ALL_ROWS, rows]. */
  classCounts: [string, number][];
  /** Under regression: the target's range. */
  target?: { min: number; max: number };
  /** Numeric columns holding NaN/±Infinity (only when the policy is 'missing'; 'reject' throws). */
  nonFinite: NonFiniteCount[];
  sha256: string;
  /** The seed `classEdges` were found for. */
  seed: number;
  /** [class, edge], in the order of classCounts (shared/data/classEdges.ts). */
  classEdges: [string, ClassEdge][];
}

/**
 * The data gate's first pass, fed a chunk at a time: memory holds one chunk, the
 * per-class counts and per-column counters, never the rows. Every refusal is a
 * DataValidationError saying where the problem is and how to fix it.
 */
export class CsvScanner {
  private readonly records: CsvRecords;
  private readonly hash = createHash('sha256');
  private head: Uint8Array[] = [];
  private headBytes = 0;
  private sniffed = false;
  private bytes = 0;
  private columns: string[] | undefined;
  private labelIndex = -1;
  private stats: ColumnStats | undefined;
  private rows = 0;
  private emptyLabels = 0;
  private firstEmptyLabel = 0;
  private readonly classes = new Map<string, number>();
  private readonly target: TargetStats | undefined;
  private readonly edges: ClassEdges;
  private features: number[] = [];

  constructor(private readonly options: ScanOptions) {
    this.records = new CsvRecords(options.blob);
    this.edges = new ClassEdges(options.seed ?? 0);
    this.target = options.task === 'regression' ? new TargetStats() : undefined;
  }

  push(chunk: Uint8Array): void {
    this.bytes += chunk.byteLength;
    this.hash.update(chunk);
    if (this.sniffed) return this.take(this.records.push(chunk));
    // Hold the first 8 KiB back until binary content has been ruled out.
    this.head.push(chunk);
    this.headBytes += chunk.byteLength;
    if (this.headBytes >= BINARY_SNIFF_BYTES) this.sniff(false);
  }

  end(): CsvProfile {
    const { blob, labelColumn } = this.options;
    if (this.bytes === 0) throw new DataValidationError(blob, 'the file is empty; upload a CSV with a header row');
    if (!this.sniffed) this.sniff(true);
    this.take(this.records.end());
    if (!this.columns) throw new DataValidationError(blob, 'the file has no header row');
    const minRows = this.options.minRows ?? 2;
    if (this.rows < minRows) {
      throw new DataValidationError(blob, `${this.rows} data rows; the pipeline needs at least ${minRows} (data.minRows)`);
    }
    if (this.emptyLabels > 0) {
      throw new DataValidationError(
        blob,
        `${this.emptyLabels} rows have an empty '${labelColumn}', the first at data row ${this.firstEmptyLabel}; label every row`,
      );
    }
    const classCounts = [...this.classes.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (this.target) this.target.check(blob, labelColumn);
    else checkLabels(blob, labelColumn, this.rows, classCounts);
    const nonFinite = this.stats!.nonFinite(this.labelIndex);
    if (nonFinite.length > 0 && (this.options.nonFinite ?? 'reject') === 'reject') {
      throw new DataValidationError(
        blob,
        `non-finite numbers in numeric columns: ${describeNonFinite(nonFinite)}; ` +
          'replace them with real values or empty cells, or set data.nonFinite: missing to treat them as missing',
      );
    }
    const sha256 = this.hash.digest('hex');
    return {
      columns: this.columns,
      labelIndex: this.labelIndex,
      rows: this.rows,
      classCounts,
      ...(this.target ? { target: { min: this.target.min, max: this.target.max } } : {}),
      nonFinite,
      sha256,
      seed: this.options.seed ?? 0,
      classEdges: this.edges.result(),
    };
  }

  private sniff(whole: boolean): void {
    const head = Buffer.concat(this.head);
    this.head = [];
    this.sniffed = true;
    if (looksBinary(head.subarray(0, BINARY_SNIFF_BYTES), whole && head.length <= BINARY_SNIFF_BYTES)) {
      throw new DataValidationError(this.options.blob, 'not a CSV text file (binary content); upload UTF-8 CSV with a header row');
    }
    this.take(this.records.push(head));
  }

  private take(records: string[][]): void {
    for (const record of records) {
      if (this.columns) this.row(record);
      else this.header(record);
    }
  }

  private header(header: string[]): void {
    const { blob, labelColumn } = this.options;
    if (header.every((h) => h === '')) throw new DataValidationError(blob, 'the file has no header row');
    const duplicate = header.find((h, i) => header.indexOf(h) !== i);
    if (duplicate !== undefined) throw new DataValidationError(blob, `column '${duplicate}' appears twice in the header`);
    this.labelIndex = header.indexOf(labelColumn);
    if (this.labelIndex < 0) {
      throw new DataValidationError(
        blob,
        `no label column '${labelColumn}' (columns: ${header.join(', ')}); ` +
          'rename the target column or set data.labelColumn in autopilot.yaml',
      );
    }
    if (header.length < 2) throw new DataValidationError(blob, 'no feature columns besides the label');
    this.columns = header;
    this.stats = new ColumnStats(header);
    this.features = featureOrder(header, this.labelIndex);
  }

  private row(row: string[]): void {
    this.rows++;
    this.stats!.add(row, this.rows);
    const label = row[this.labelIndex]!;
    if (label === '') {
      if (this.emptyLabels++ === 0) this.firstEmptyLabel = this.rows;
      return;
    }
    let stratum = label;
    if (this.target) {
      this.target.add(label, this.rows);
      stratum = ALL_ROWS;
    }
    const count = this.classes.get(stratum);
    if (count === undefined && this.classes.size >= MAX_CLASSES) {
      throw tooManyClasses(this.options.blob, this.options.labelColumn, this.rows);
    }
    this.classes.set(stratum, (count ?? 0) + 1);
    this.edges.add(stratum, rowHash(row, this.features));
  }
}
