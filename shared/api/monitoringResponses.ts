import { z } from 'zod';

/**
 * Responses of the monitor and alert routes. The runs and alert records carry reports whose
 * shape belongs to shared/monitoring and shared/alerts: declared here by the fields people
 * and the CLI read, the rest passed through.
 */
const ModelRef = z.looseObject({ name: z.string(), version: z.number() });

export const MonitorRunView = z
  .looseObject({
    id: z.string(),
    pipeline: z.string(),
    at: z.string(),
    trigger: z.enum(['schedule', 'manual', 'external']),
    endpoint: z.string(),
    deployment: z.string().optional(),
    model: ModelRef.optional(),
    releaseId: z.string().optional(),
    window: z.looseObject({ from: z.string(), to: z.string() }),
    rows: z.number(),
    unreadable: z.looseObject({
      malformedLines: z.number(),
      outsideRange: z.number(),
      vanishedBlobs: z.number(),
      samples: z.array(z.string()),
    }),
    outcome: z.enum(['ok', 'drift', 'model-quality', 'data-quality', 'insufficient-data', 'no-model']),
    reasons: z.array(z.string()),
    report: z
      .looseObject({})
      .optional()
      .meta({ description: 'Per-feature drift: baseline vs window histograms, statistics and thresholds.' }),
    quality: z.looseObject({}).optional(),
    retrain: z
      .union([
        z.looseObject({ releaseId: z.string(), rows: z.number(), sources: z.array(z.string()) }),
        z.looseObject({ skipped: z.string() }),
      ])
      .optional(),
  })
  .meta({ id: 'MonitorRun' });
export type MonitorRunView = z.infer<typeof MonitorRunView>;
export const MonitorRunsResponse = z.looseObject({ runs: z.array(MonitorRunView) });
export const MonitorRunResponse = z.looseObject({ run: MonitorRunView });

const AlertOutcome = z.enum(['rolled_back', 'recorded', 'ignored']);

export const AlertView = z
  .looseObject({
    alert: z.looseObject({
      alertId: z.string(),
      rule: z.string(),
      severity: z.string().optional(),
      condition: z.enum(['Fired', 'Resolved']),
      service: z.string(),
      targets: z.array(z.string()),
      firedAt: z.string(),
      resolvedAt: z.string().optional(),
    }),
    receivedAt: z.string(),
    outcome: z.union([AlertOutcome, z.enum(['pending', 'failed'])]),
    reason: z.string().optional(),
    endpoints: z.array(z.string()),
    releases: z.array(z.string()),
  })
  .meta({ id: 'Alert' });
export type AlertView = z.infer<typeof AlertView>;
export const AlertsResponse = z.looseObject({ alerts: z.array(AlertView) });

/** What the Azure Monitor webhook answers (any 2xx tells Azure the alert arrived). */
export const AlertReceipt = z.looseObject({
  outcome: z.union([AlertOutcome, z.literal('duplicate')]),
  alertId: z.string(),
  condition: z.enum(['Fired', 'Resolved']),
  endpoints: z.array(z.string()),
  releases: z.array(z.string()),
  reason: z.string().optional(),
});
