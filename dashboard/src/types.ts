import type { AlertRecord } from '../../shared/alerts/reactToAlert';
import type { MonitorRun } from '../../shared/monitoring/runMonitor';
import type { DriftHistogram } from '../../shared/monitoring/stats/driftHistogram';
import type { FeatureDrift } from '../../shared/monitoring/stats/driftReport';
import type { EnvironmentName } from '../../shared/config/schema';
import type { EndpointInfo, ModelVersion } from '../../shared/ports';
import type { AuditEntry, CanaryLook, Release } from '../../shared/release/types';

/** Types of the API's JSON, taken from the core's own schemas (type-only: nothing is bundled). */
export type ReleaseView = Release;
export type { AlertRecord, AuditEntry, CanaryLook, DriftHistogram, FeatureDrift, MonitorRun };

/** GET /api/releases/{id} */
export interface ReleaseDetail {
  release: ReleaseView;
  audit: AuditEntry[];
}

/** GET /api/releases */
export interface ReleaseList {
  releases: ReleaseView[];
  unreadable: { id: string; pipeline: string; error: string; repair?: string }[];
}

/** GET /api/endpoints: every environment's endpoints with their deployments and traffic. */
export type EndpointView = EndpointInfo;

/** GET /api/models: each environment's registered versions. */
export type ModelView = ModelVersion & { environment: string };

/** GET /api/audit */
export interface AuditPage {
  since: string;
  until: string;
  entries: AuditEntry[];
  truncated: boolean;
}

/** GET /api/health (anonymous): the configured pipelines. */
export interface Health {
  pipelines: { name: string; container: string; prefix: string; labelColumn: string }[];
}

/**
 * The environments in promotion order. Spelled out rather than imported from
 * shared/config/schema, which would bundle zod; the type ties it to the schema's list.
 */
export const ENVIRONMENTS: readonly EnvironmentName[] = ['dev', 'staging', 'prod'];
