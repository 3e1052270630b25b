import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import { z } from 'zod';
import { closeServer } from '../closeServer';
import { listenLocally } from '../listenLocally';

/** A row of AmlOnlineEndpointConsoleLog, with the columns the Azure Monitor table reference documents (the ones used here). */
export interface ConsoleLogRecord {
  TimeGenerated: string;
  /** The online endpoint's ARM id; Azure stores it upper-cased. */
  _ResourceId: string;
  DeploymentName: string;
  ContainerName?: string;
  InstanceId?: string;
  Message: string;
}

export interface QueryCall {
  workspaceId: string;
  query: string;
  timespan?: string;
  status: number;
}

/** `POST /v1/workspaces/{workspaceId}/query` as the Log Analytics query API documents it. */
const QueryBody = z.strictObject({ query: z.string().min(1), timespan: z.string().optional(), workspaces: z.array(z.string()).optional() });
const TABLE = 'AmlOnlineEndpointConsoleLog';
const COLUMN_TYPES: Record<string, string> = {
  TimeGenerated: 'datetime',
  _ResourceId: 'string',
  DeploymentName: 'string',
  ContainerName: 'string',
  InstanceId: 'string',
  Message: 'string',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly inner?: { code: string; message: string },
  ) {
    super(message);
  }
}

/**
 * A fake of the Log Analytics query API over HTTPS (bearer tokens need TLS) holding one
 * table, AmlOnlineEndpointConsoleLog. It runs the KQL shapes the adapter sends (where on
 * `=~`/`==` string equality, top N by a column, sort, project) and refuses any other
 * operator, as a query it cannot check must not pass silently.
 */
export class FakeLogAnalytics {
  readonly calls: QueryCall[] = [];
  private readonly workspaces = new Map<string, ConsoleLogRecord[]>();
  private readonly failures: number[] = [];
  private readonly withoutTable = new Set<string>();
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(tls: { key: string; cert: string }): Promise<FakeLogAnalytics> {
    let fake: FakeLogAnalytics | undefined;
    const server = createServer(tls, (req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        let status = 200;
        let payload: unknown;
        try {
          payload = fake!.handle(req.method ?? 'GET', new URL(req.url ?? '/', 'https://fake'), req.headers.authorization, raw);
        } catch (error) {
          const e = error instanceof HttpError ? error : new HttpError(500, 'InternalError', String(error));
          status = e.status;
          payload = {
            error: { message: e.message, code: e.code, correlationId: randomUUID(), ...(e.inner ? { innererror: e.inner } : {}) },
          };
        }
        if (fake!.calls.at(-1)?.status === 0) fake!.calls.at(-1)!.status = status;
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(payload));
      });
    });
    const port = await listenLocally(server);
    fake = new FakeLogAnalytics(server, `https://127.0.0.1:${port}`);
    return fake;
  }

  /** A workspace whose diagnostic settings deliver console logs (without `records`, the table exists but is empty). */
  addWorkspace(workspaceId: string, records: ConsoleLogRecord[] = []): void {
    this.workspaces.set(workspaceId.toLowerCase(), [...(this.workspaces.get(workspaceId.toLowerCase()) ?? []), ...records]);
  }

  /** A workspace no diagnostic setting sends console logs to yet: the table does not exist there. */
  addWorkspaceWithoutConsoleLogs(workspaceId: string): void {
    this.withoutTable.add(workspaceId.toLowerCase());
  }

  /** The next query answers `status` (403: the identity lacks Log Analytics Reader). */
  failNext(status: 403 | 500): void {
    this.failures.push(status);
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private handle(method: string, url: URL, authorization: string | undefined, raw: string): unknown {
    const path = /^\/v1\/workspaces\/([^/]+)\/query$/.exec(url.pathname);
    if (method !== 'POST' || !path)
      throw new HttpError(404, 'PathNotFoundError', `The requested path does not exist: ${method} ${url.pathname}`);
    const call: QueryCall = { workspaceId: decodeURIComponent(path[1]!), query: '', status: 0 };
    this.calls.push(call);
    if (!authorization?.startsWith('Bearer '))
      throw new HttpError(401, 'AuthorizationRequiredError', 'Valid authentication was not provided');
    const parsed = QueryBody.safeParse(JSON.parse(raw || 'null'));
    if (!parsed.success)
      throw new HttpError(400, 'BadArgumentError', `The request had some invalid properties: ${parsed.error.issues[0]?.message}`);
    Object.assign(call, { query: parsed.data.query, timespan: parsed.data.timespan });
    const failure = this.failures.shift();
    if (failure === 403)
      throw new HttpError(
        403,
        'InsufficientAccessError',
        'The provided credentials have insufficient access to perform the requested operation',
      );
    if (failure) throw new HttpError(failure, 'ServiceError', 'injected failure');
    const id = call.workspaceId.toLowerCase();
    const records = this.withoutTable.has(id) ? [] : this.workspaces.get(id);
    if (!records) throw new HttpError(404, 'WorkspaceNotFoundError', `Workspace ${call.workspaceId} not found`);
    return { tables: [run(parsed.data.query, records, window(parsed.data.timespan), !this.withoutTable.has(id))] };
  }
}

/** The ISO 8601 interval `start/end` or `duration`, or `start/duration`, as [from, to] in ms. */
function window(timespan: string | undefined): [number, number] {
  if (!timespan) return [-Infinity, Infinity];
  const [a, b] = timespan.split('/');
  const duration = (d: string) => {
    const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(d);
    if (!m) throw new HttpError(400, 'BadArgumentError', `timespan '${timespan}' is not an ISO 8601 interval`);
    return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 + Number(m[4] ?? 0) * 1000;
  };
  if (b === undefined) return [Date.now() - duration(a!), Date.now()];
  const start = Date.parse(a!);
  const end = b.startsWith('P') ? start + duration(b) : Date.parse(b);
  if (Number.isNaN(start) || Number.isNaN(end) || end < start)
    throw new HttpError(400, 'BadArgumentError', `timespan '${timespan}' is not an ISO 8601 interval`);
  return [start, end];
}

/** Runs the subset of KQL the adapter uses over the one table. */
function run(query: string, records: ConsoleLogRecord[], [from, to]: [number, number], tableExists: boolean) {
  const [source, ...steps] = query
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  const semantic = (message: string) =>
    new HttpError(400, 'BadArgumentError', 'The request had some invalid properties', { code: 'SemanticError', message });
  if (source !== TABLE || !tableExists) throw semantic(`'${source}': Failed to resolve table expression named '${source}'`);
  let rows = records.filter((r) => Date.parse(r.TimeGenerated) >= from && Date.parse(r.TimeGenerated) <= to) as unknown as Record<
    string,
    string
  >[];
  let columns = Object.keys(COLUMN_TYPES);
  const literal = (text: string) => text.slice(1, -1).replace(/\\(.)/g, '$1');
  for (const step of steps) {
    let m: RegExpExecArray | null;
    if ((m = /^\| where (\w+) (=~|==) ('(?:[^'\\]|\\.)*')$/.exec(step))) {
      const [, column, op, value] = m as unknown as [string, string, string, string];
      if (!columns.includes(column)) throw semantic(`Failed to resolve column '${column}'`);
      rows = rows.filter((r) => (op === '=~' ? r[column]?.toLowerCase() === literal(value).toLowerCase() : r[column] === literal(value)));
    } else if ((m = /^\| top (\d+) by (\w+) (asc|desc)$/.exec(step))) {
      rows = sortBy(rows, m[2]!, m[3] as 'asc' | 'desc').slice(0, Number(m[1]));
    } else if ((m = /^\| sort by (\w+) (asc|desc)$/.exec(step))) {
      rows = sortBy(rows, m[1]!, m[2] as 'asc' | 'desc');
    } else if ((m = /^\| project ([\w, ]+)$/.exec(step))) {
      columns = m[1]!.split(',').map((c) => c.trim());
      const unknown = columns.find((c) => !COLUMN_TYPES[c]);
      if (unknown) throw semantic(`Failed to resolve column '${unknown}'`);
    } else {
      throw semantic(`the fake does not understand '${step}'`);
    }
  }
  return {
    name: 'PrimaryResult',
    columns: columns.map((name) => ({ name, type: COLUMN_TYPES[name] })),
    rows: rows.map((r) => columns.map((c) => r[c] ?? null)),
  };
}

function sortBy(rows: Record<string, string>[], column: string, direction: 'asc' | 'desc'): Record<string, string>[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => sign * String(a[column]).localeCompare(String(b[column])));
}
