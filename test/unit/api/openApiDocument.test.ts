// The function modules register after the Functions core is mocked (beforeAll), so nothing here imports functions/ at the top.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FunctionsCore } from '../../../devhost/functionsCore';
import { apiDocument, openApiPath, type ApiDocument } from '../../../shared/api/apiDocument';
import { apiMarkdown } from '../../../shared/api/apiMarkdown';
import type { ApiOperation } from '../../../shared/api/operation';
import { mockFunctionsCore } from '../../fakes/functionsCoreModule';
import { openApiStructureErrors, ResponseValidator } from './openApiValidator';

/**
 * The API document of the app as the host loads it: every HTTP function the app registers,
 * with the schemas its route declares. Real: the function modules and their registrations.
 */
describe('the API document', () => {
  let core: FunctionsCore;
  let operations: readonly ApiOperation[];
  let doc: ApiDocument;

  beforeAll(() => {
    core = mockFunctionsCore();
    require('../../../functions');
    operations = (require('../../../functions/http/respond') as typeof import('../../../functions/http/respond')).registeredOperations();
    doc = apiDocument(operations, { version: '0.1.0' });
  });

  it('lists every HTTP function the app registers, with its route and method', () => {
    const registered = core
      .byTrigger('httpTrigger')
      .flatMap((f) =>
        (f.trigger.methods as string[]).map((method) => `${method.toUpperCase()} ${openApiPath(f.trigger.route as string)} ${f.name}`),
      );
    const documented = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { operationId?: string }>).map(
        ([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`,
      ),
    );
    expect(registered.length).toBeGreaterThanOrEqual(21);
    expect(documented.sort()).toEqual(registered.sort());
  });

  it("is a valid OpenAPI 3.1 document by the OpenAPI Initiative's schema", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(openApiStructureErrors(doc)).toEqual([]);
    expect(openApiStructureErrors({ ...doc, info: { title: 'no version' } })).not.toEqual([]);
    expect(Object.keys(doc.components?.schemas ?? {})).toEqual(expect.arrayContaining(['Error', 'Release', 'ReleaseReport', 'Endpoint']));
  });

  it('declares bearer security, the error body and its statuses on a role-checked route', () => {
    const op = doc.paths!['/api/releases/{id}/approve']!.post!;
    expect(op.security).toEqual([{ bearer: [] }]);
    expect(op['x-autopilot-access']).toBe('release:approve');
    expect(op['x-autopilot-environment']).toBe('prod');
    expect(Object.keys(op.responses!).sort()).toEqual(['200', '400', '401', '403', '404', '409', '500', '503']);
    expect(op.responses!['403']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
    expect(op.parameters).toEqual([expect.objectContaining({ in: 'path', name: 'id', required: true })]);
    expect(doc.paths!['/api/health']!.get!.security).toEqual([]);
    expect(doc.paths!['/api/alerts']!.post!.security).toEqual([{ functionKey: [] }]);
  });

  it('documents query parameters as the route parses them (strings of digits, not numbers)', () => {
    const params = doc.paths!['/api/releases']!.get!.parameters as { name: string; schema: { type: string; pattern?: string } }[];
    expect(params.find((p) => p.name === 'limit')?.schema).toMatchObject({ type: 'string', pattern: '^\\d{1,16}$' });
    expect(params.find((p) => p.name === 'status')?.schema).toMatchObject({ enum: expect.arrayContaining(['running', 'rejected']) });
  });

  it('has response schemas that compile as JSON Schema 2020-12, with every $ref resolved in the document', () => {
    const validator = new ResponseValidator(doc as never);
    const checked = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>).flatMap(([method, op]) =>
        Object.entries(op.responses)
          .filter(([, r]) => r.content?.['application/json'])
          .map(([status]) => validator.errors(method, path, Number(status), null)),
      ),
    );
    expect(checked.length).toBeGreaterThan(100);
    // null is no answer of ours: each schema ran and said so, none failed to resolve.
    for (const errors of checked) expect(errors).toEqual([expect.stringMatching(/^\(root\) must be object/)]);
  });

  it('is what docs/api.md says', () => {
    const onDisk = readFileSync(join(__dirname, '../../../docs/api.md'), 'utf8');
    const expected = apiMarkdown(apiDocument(operations, { version: (require('../../../package.json') as { version: string }).version }));
    if (onDisk !== expected) throw new Error('docs/api.md is stale: run `npm run docs:api` and commit docs/api.md');
  });

  it('refuses a route whose params schema does not name each {param} of its route', () => {
    const { apiRoute } = require('../../../functions/http/respond') as typeof import('../../../functions/http/respond');
    const { z } = require('zod') as typeof import('zod');
    const declare = () =>
      apiRoute(
        'badRoute',
        {
          route: 'things/{thing}',
          method: 'GET',
          action: 'read',
          summary: 'x',
          params: z.object({ other: z.string() }) as never,
          responses: { 200: { description: 'x', json: z.object({}) } },
        },
        async () => ({ jsonBody: {} }),
      );
    expect(declare).toThrow(/apiRoute badRoute: route 'things\/\{thing\}' has params \[thing\] but options.params declares \[other\]/);
  });
});
