import {
  createDocument,
  type oas31,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import { ERROR_CODES, ERROR_MEANINGS, ErrorBody } from './errorBody';
import { errorStatusesOf, type ApiOperation } from './operation';

export type ApiDocument = oas31.OpenAPIObject;

/** `releases/{id:int}` as OpenAPI writes it: `/api/releases/{id}`. */
export function openApiPath(route: string): string {
  return `/api/${route.replace(/\{\*?([A-Za-z_][A-Za-z0-9_]*)[^}]*\}/g, '{$1}')}`;
}

/**
 * The OpenAPI 3.1 document of the API, built by zod-openapi from the very schemas the routes
 * parse their input with and declare their answers by (functions/http/respond.ts `apiRoute`).
 * Pure: the operations come in as data.
 */
export function apiDocument(operations: readonly ApiOperation[], info: { version: string }): ApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const op of [...operations].sort((a, b) => a.route.localeCompare(b.route) || a.method.localeCompare(b.method))) {
    const path = openApiPath(op.route);
    paths[path] = { ...paths[path], [op.method.toLowerCase()]: toOperationObject(op) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'mlops-autopilot API',
      version: info.version,
      description:
        "The autopilot HTTP API (docs/api.md). Errors are `{error: {code, message, where?}}`; mutating calls check the caller's role per environment.",
    },
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'On Azure an Entra ID token for the API (app roles map to role x environment); locally a token from .autopilot/tokens.json.',
        },
        functionKey: {
          type: 'apiKey',
          in: 'query',
          name: 'code',
          description: 'A Functions key; the host checks it before the function runs (also accepted as the x-functions-key header).',
        },
      },
    },
  }) as ApiDocument;
}

function toOperationObject(op: ApiOperation): ZodOpenApiOperationObject {
  const requestParams = {
    ...(op.params ? { path: op.params } : {}),
    ...(op.query ? { query: op.query } : {}),
    ...(op.headers ? { header: op.headers } : {}),
  };
  return {
    operationId: op.name,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.route.split('/')[0]!],
    security: op.access === 'anonymous' ? [] : op.access === 'function-key' ? [{ functionKey: [] }] : [{ bearer: [] }],
    'x-autopilot-access': op.access,
    ...(op.environment ? { 'x-autopilot-environment': op.environment } : {}),
    ...(Object.keys(requestParams).length ? { requestParams } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
    ...(op.formBody ? { requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: op.formBody } } } } : {}),
    responses: responsesOf(op),
  };
}

function responsesOf(op: ApiOperation): ZodOpenApiResponsesObject {
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, spec] of Object.entries(op.responses)) {
    const content = {
      ...(spec.json ? { 'application/json': { schema: spec.json } } : {}),
      ...(spec.text ? { [spec.text]: { schema: { type: 'string' as const } } } : {}),
    };
    responses[status as `2${string}`] = { description: spec.description, ...(Object.keys(content).length ? { content } : {}) };
  }
  for (const status of errorStatusesOf(op)) {
    // With a function key the host itself refuses a missing or wrong key, before our code, without our error body.
    responses[`${status}` as `4${string}`] =
      op.access === 'function-key' && status === 401
        ? { description: 'The function key is missing or wrong (answered by the Functions host).' }
        : { description: `${ERROR_CODES[status]}: ${ERROR_MEANINGS[status]}`, content: { 'application/json': { schema: ErrorBody } } };
  }
  return responses;
}
