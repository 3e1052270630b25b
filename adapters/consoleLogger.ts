import type { Logger } from '../shared/ports';

/** Plain structured lines on the console; Application Insights replaces it in Azure. */
export function consoleLogger(scope: string): Logger {
  const line = (level: string, message: string, properties?: Record<string, unknown>) =>
    `${new Date().toISOString()} ${level} [${scope}] ${message}${properties && Object.keys(properties).length ? ` ${JSON.stringify(properties)}` : ''}`;
  return {
    info: (m, p) => console.log(line('info', m, p)),
    warn: (m, p) => console.warn(line('warn', m, p)),
    error: (m, p) => console.error(line('error', m, p)),
  };
}
