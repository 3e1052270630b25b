import { z } from 'zod';
import { AuditEntry, DataLineage, ModelRefSchema, Release, ReleaseStatus, Trigger } from '../release/types';

/**
 * Responses of the release routes, as the API declares them (GET /api/openapi.json) and the
 * CLI parses them. Top-level objects are loose so the CLI's `--json` passes through fields a
 * newer host adds; what is inside a release is the stored record's own schema.
 */
// The outbox (effects a write still owes, see shared/release/outbox.ts) is internal: not declared.
export const ReleaseView = Release.omit({ outbox: true }).loose().meta({ id: 'Release' });
export type ReleaseView = z.infer<typeof ReleaseView>;

export const AuditEntryView = AuditEntry.loose().meta({ id: 'AuditEntry' });

/** A stored release that does not parse, listed apart by the API (docs/operations.md). */
export const UnreadableView = z
  .looseObject({ id: z.string(), pipeline: z.string().optional(), error: z.string(), repair: z.string() })
  .meta({ id: 'UnreadableRelease' });
export type UnreadableView = z.infer<typeof UnreadableView>;

export const ReleasesResponse = z.looseObject({ releases: z.array(ReleaseView), unreadable: z.array(UnreadableView).default([]) });
export const ReleaseResponse = z.looseObject({ release: ReleaseView });
export const ReleaseDetailResponse = z.looseObject({ release: ReleaseView, audit: z.array(AuditEntryView).default([]) });
export type ReleaseDetail = z.infer<typeof ReleaseDetailResponse>;

const Metrics = z.record(z.string(), z.number());
const shape = Release.shape;

/** The decision record (shared/release/report.ts `releaseReport`). */
export const ReleaseReportView = z
  .looseObject({
    release: z.looseObject({
      id: z.string(),
      pipeline: z.string(),
      status: ReleaseStatus,
      reason: z.string().optional(),
      createdAt: z.string(),
      endedAt: z.string().optional(),
    }),
    trigger: Trigger,
    data: z
      .looseObject({
        blob: z.string(),
        eTag: z.string(),
        rows: z.int().optional(),
        columns: z.array(z.string()).optional(),
        holdoutRows: z.int().optional(),
        compared: DataLineage.shape.compared,
        trainingSet: z.array(z.object({ blob: z.string(), eTag: z.string(), sha256: z.string(), rows: z.int() })).optional(),
      })
      .optional(),
    training: z.object({ job: z.string(), metrics: Metrics }).optional(),
    model: ModelRefSchema.optional(),
    gate: shape.gate
      .unwrap()
      .extend({ championModel: ModelRefSchema.optional(), candidateMetrics: Metrics, championMetrics: Metrics })
      .optional(),
    staging: shape.staging,
    approval: shape.approval,
    canary: z
      .object({
        verdict: z.string().optional(),
        reasons: z.array(z.string()),
        steps: z.int().optional(),
        promotedBy: z.object({ by: z.string(), at: z.string() }).optional(),
      })
      .optional(),
    rollback: shape.rollback,
    stages: z.array(
      z.object({
        stage: z.string(),
        status: z.string(),
        startedAt: z.string().optional(),
        endedAt: z.string().optional(),
        detail: z.string().optional(),
      }),
    ),
    actions: z.array(AuditEntryView),
  })
  .meta({ id: 'ReleaseReport' });
export const ReleaseReportResponse = z.looseObject({ report: ReleaseReportView });

export const PipelineRollbackResponse = z.looseObject({
  rollback: z.looseObject({ endpoint: z.string(), from: z.string(), to: z.string(), releaseId: z.string().optional() }),
});
export type PipelineRollback = z.infer<typeof PipelineRollbackResponse>['rollback'];

/** GET /api/audit: the audit log across releases, oldest first; `truncated` when `limit` cut it. */
export const AuditResponse = z.looseObject({
  since: z.string(),
  until: z.string(),
  entries: z.array(AuditEntryView),
  truncated: z.boolean().default(false),
});
export type AuditView = z.infer<typeof AuditResponse>;
