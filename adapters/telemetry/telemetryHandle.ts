/** What startTelemetry started, and how to get its data out before the process ends. */
export interface TelemetryHandle {
  /** `azure-monitor`: to Application Insights; `console`: single lines locally; `off`: nothing exported. */
  readonly mode: 'azure-monitor' | 'console' | 'off';
  /** Exports everything recorded so far (metrics are otherwise exported once a minute in Azure). */
  flush(): Promise<void>;
  /** Flushes and stops exporting; the process may then exit. */
  shutdown(): Promise<void>;
}

export const TELEMETRY_OFF: TelemetryHandle = { mode: 'off', flush: async () => {}, shutdown: async () => {} };
