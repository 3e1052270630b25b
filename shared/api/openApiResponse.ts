import { z } from 'zod';

/** The API document itself, as GET /api/openapi.json answers it (checked in full by the OpenAPI 3.1 schema in the tests). */
export const OpenApiDocumentResponse = z.looseObject({
  openapi: z.string().regex(/^3\.1\.\d+$/),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.looseObject({})),
  components: z.looseObject({}).optional(),
});
