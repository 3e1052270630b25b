import type { AuditEntry, Release } from '../../shared/release/types';

/** Types of the API's JSON, taken from the core's own schemas (type-only: nothing is bundled). */
export type ReleaseView = Release;
export type { AuditEntry };

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

/** GET /api/endpoints (the fields the dashboard shows). */
export interface EndpointView {
  name: string;
  environment: string;
  scoringUri?: string;
  traffic: Record<string, number>;
  mirrorTraffic?: Record<string, number>;
}
