import { z } from 'zod';
import { EnvironmentName } from '../shared/config/schema';
import { AuditEntry, Release } from '../shared/release/types';

/**
 * Responses of the HTTP API (the lead's functions/ implement the same contract). Objects
 * are loose so `--json` passes through fields this CLI version does not know yet.
 */
export const ReleaseView = Release.loose();
export type ReleaseView = z.infer<typeof ReleaseView>;

export const HealthResponse = z.looseObject({
  status: z.string(),
  version: z.string().optional(),
  pipelines: z.array(z.looseObject({ name: z.string(), container: z.string(), prefix: z.string(), labelColumn: z.string().optional() })),
  environments: z.record(z.string(), z.looseObject({ backend: z.string().optional() })).default({}),
});
export type HealthResponse = z.infer<typeof HealthResponse>;
export type PipelineSummary = HealthResponse['pipelines'][number];

/** A stored release that does not parse, listed apart by the API (docs/operations.md). */
export const UnreadableView = z.looseObject({ id: z.string(), pipeline: z.string().optional(), error: z.string(), repair: z.string() });
export type UnreadableView = z.infer<typeof UnreadableView>;
export const ReleasesResponse = z.looseObject({ releases: z.array(ReleaseView), unreadable: z.array(UnreadableView).default([]) });
export const ReleaseResponse = z.looseObject({ release: ReleaseView });
export const ReleaseDetailResponse = z.looseObject({ release: ReleaseView, audit: z.array(AuditEntry.loose()).default([]) });
export type ReleaseDetail = z.infer<typeof ReleaseDetailResponse>;
/** The decision record (shared/release/report.ts): checked where the CLI reads it, the rest passed through. */
export const ReleaseReportResponse = z.looseObject({
  report: z.looseObject({
    release: z.looseObject({ id: z.string(), pipeline: z.string(), status: z.string(), createdAt: z.string() }),
    trigger: z.looseObject({ kind: z.string() }),
    stages: z.array(z.looseObject({ stage: z.string(), status: z.string() })),
    actions: z.array(AuditEntry.loose()),
  }),
});

const ModelRef = z.looseObject({ name: z.string(), version: z.number() });

export const EndpointView = z.looseObject({
  name: z.string(),
  environment: EnvironmentName,
  scoringUri: z.string(),
  traffic: z.record(z.string(), z.number()).default({}),
  mirrorTraffic: z.record(z.string(), z.number()).default({}),
  deployments: z
    .array(z.looseObject({ name: z.string(), model: ModelRef.optional(), state: z.string().optional() }))
    .default([]),
});
export type EndpointView = z.infer<typeof EndpointView>;
export const EndpointsResponse = z.looseObject({ endpoints: z.array(EndpointView) });

export const ModelView = z.looseObject({
  name: z.string(),
  version: z.number(),
  environment: EnvironmentName,
  createdAt: z.string(),
  metrics: z.record(z.string(), z.number()).default({}),
  tags: z.record(z.string(), z.string()).default({}),
  format: z.enum(['custom_model', 'mlflow_model']).default('custom_model'),
});
export type ModelView = z.infer<typeof ModelView>;
export const ModelsResponse = z.looseObject({ models: z.array(ModelView) });

export const ErrorBody = z.object({
  error: z.object({ code: z.string().default('error'), message: z.string(), where: z.string().optional() }),
});

export const PipelineRollbackResponse = z.looseObject({
  rollback: z.looseObject({ endpoint: z.string(), from: z.string(), to: z.string(), releaseId: z.string().optional() }),
});
export type PipelineRollback = z.infer<typeof PipelineRollbackResponse>['rollback'];

export const EventView = z.looseObject({
  id: z.string(),
  type: z.string(),
  subject: z.string(),
  time: z.string(),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type EventView = z.infer<typeof EventView>;
export const EventsResponse = z.looseObject({ events: z.array(EventView) });

export const DeploymentLogsResponse = z.looseObject({
  endpoint: z.string(),
  deployment: z.string(),
  environment: z.string(),
  source: z.string(),
  lines: z.array(z.looseObject({ time: z.string().optional(), text: z.string() })),
});
export type DeploymentLogsView = z.infer<typeof DeploymentLogsResponse>;

/** POST /api/dashboard/sessions: a one-time sign-in link for the dashboard. */
export const DashboardSessionResponse = z.looseObject({ url: z.url(), expiresAt: z.string() });
/** A monitor run (shared/monitoring/runMonitor.ts): what the CLI shows is checked, the report passed through. */
export const MonitorRunView = z.looseObject({
  id: z.string(),
  pipeline: z.string(),
  at: z.string(),
  trigger: z.string(),
  endpoint: z.string(),
  outcome: z.string(),
  rows: z.number(),
  reasons: z.array(z.string()).default([]),
  retrain: z.union([z.looseObject({ releaseId: z.string(), rows: z.number() }), z.looseObject({ skipped: z.string() })]).optional(),
});
export type MonitorRunView = z.infer<typeof MonitorRunView>;
export const MonitorRunsResponse = z.looseObject({ runs: z.array(MonitorRunView) });
export const MonitorRunResponse = z.looseObject({ run: MonitorRunView });

/** A received Azure Monitor alert and what the autopilot did about it (shared/alerts/reactToAlert.ts). */
export const AlertView = z.looseObject({
  alert: z.looseObject({ alertId: z.string(), rule: z.string(), condition: z.string(), severity: z.string().optional(), firedAt: z.string() }),
  receivedAt: z.string(),
  outcome: z.string(),
  reason: z.string().optional(),
  endpoints: z.array(z.string()).default([]),
  releases: z.array(z.string()).default([]),
});
export type AlertView = z.infer<typeof AlertView>;
export const AlertsResponse = z.looseObject({ alerts: z.array(AlertView) });

export const AuditResponse = z.looseObject({
  since: z.string(),
  until: z.string(),
  entries: z.array(AuditEntry.loose()),
  truncated: z.boolean().default(false),
});
export type AuditView = z.infer<typeof AuditResponse>;
