import { z } from 'zod';
import { EnvironmentName } from '../../../shared/config/schema';
import type { ModelVersion } from '../../../shared/ports';

/** The schema of `<models>/<name>/<version>/model.json`; it matches the port's ModelVersion. */
export const ModelRecord = z.object({
  name: z.string(),
  version: z.int().positive(),
  createdAt: z.string(),
  path: z.string(),
  sha256: z.string(),
  metrics: z.record(z.string(), z.number()),
  tags: z.record(z.string(), z.string()),
  lineage: z.object({
    dataUrl: z.string().optional(),
    dataETag: z.string().optional(),
    dataSha256: z.string().optional(),
    jobName: z.string().optional(),
    codeHash: z.string().optional(),
    releaseId: z.string().optional(),
    trainingSet: z.string().optional(),
  }),
  idempotencyKey: z.string(),
  format: z.enum(['custom_model', 'mlflow_model']).optional(),
  description: z.string().optional(),
  copiedFrom: z.object({ environment: EnvironmentName, name: z.string(), version: z.int() }).optional(),
});

// Compile-time check that the file format and the port agree.
export const asModelVersion = (record: z.infer<typeof ModelRecord>): ModelVersion => record;
