import { format } from 'node:util';

/** Levels as `@azure/functions` names them (InvocationContext.log/warn/error...). */
export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

const RANK: Record<LogLevel, number> = {
  trace: 0,
  debug: 1,
  information: 2,
  warning: 3,
  error: 4,
  critical: 5,
  none: 6,
};

export interface LogFields {
  functionName?: string;
  invocationId?: string;
  /** `host` for the host's own lines, `user` for what functions log. @default host */
  category?: 'host' | 'user' | 'system';
}

export interface HostLogger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that stamps every line with these fields (function name, invocation id). */
  child(fields: LogFields): HostLogger;
}

export interface CreateHostLoggerOptions {
  /** `text` is `[time] [function] message`; `json` is one JSON object a line. @default text */
  format?: 'text' | 'json';
  /** Lines below this level are dropped. @default information */
  minLevel?: LogLevel;
  /** Where lines go. @default stdout, warnings and errors to stderr */
  write?: (line: string, level: LogLevel) => void;
}

/** Formats anything a function passes to context.log (strings, errors, objects) into one message. */
export function formatLogArgs(args: readonly unknown[]): string {
  return format(...args);
}

/**
 * The host's tiny structured logger. Function logs carry the function name and the
 * invocation id so a line can be matched to the invocation that wrote it.
 */
export function createHostLogger(options: CreateHostLoggerOptions = {}, fields: LogFields = {}): HostLogger {
  const minRank = RANK[options.minLevel ?? 'information'];
  const write = options.write ?? defaultWrite;
  const jsonFormat = options.format === 'json';
  const log = (level: LogLevel, message: string, extra: LogFields = {}) => {
    if (RANK[level] < minRank || level === 'none') return;
    const merged = { ...fields, ...extra };
    const time = new Date().toISOString();
    if (jsonFormat) {
      write(JSON.stringify({ time, level, ...merged, message }), level);
      return;
    }
    const where = merged.functionName ? `[${merged.functionName}] ` : '[host] ';
    const id = merged.invocationId ? `(${merged.invocationId.slice(0, 8)}) ` : '';
    const tag = RANK[level] >= RANK.warning ? `${level.toUpperCase()}: ` : '';
    write(`[${time}] ${where}${id}${tag}${message}`, level);
  };
  return {
    log,
    info: (m, f) => log('information', m, f),
    warn: (m, f) => log('warning', m, f),
    error: (m, f) => log('error', m, f),
    child: (more) => createHostLogger(options, { ...fields, ...more }),
  };
}

function defaultWrite(line: string, level: LogLevel): void {
  if (RANK[level] >= RANK.warning) process.stderr.write(line + '\n');
  else process.stdout.write(line + '\n');
}
