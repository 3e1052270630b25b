import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * Ajv supports `$dynamicAnchor` only at a schema resource's root, and this schema puts its
 * `meta` anchor in `$defs/schema`, so Ajv would resolve `$dynamicRef: #meta` to the whole
 * document schema. With no dialect extending it the anchor means `$defs/schema`: say so plainly.
 */
const OAS_31_SCHEMA = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/openapi/oas-3.1-schema.json'), 'utf8').replaceAll(
    '"$dynamicRef": "#meta"',
    '"$ref": "#/$defs/schema"',
  ),
) as object;
const DOC_ID = 'https://autopilot.local/openapi.json';

const newAjv = () => {
  // Not strict: the document is added whole as a schema, and its OpenAPI keywords (openapi, paths…) are not JSON Schema's.
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addFormat('media-range', true); // RFC 9110 media ranges (content keys): not checked here
  return ajv;
};

/** The document against the OpenAPI Initiative's JSON Schema for 3.1; no errors when valid. */
export function openApiStructureErrors(doc: unknown): ErrorObject[] {
  const validate = newAjv().compile(OAS_31_SCHEMA);
  return validate(doc) ? [] : (validate.errors ?? []);
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Validates real answers against the response schemas of the document itself (not the zod
 * schemas it was made from): its `$ref`s resolve inside the document, as any client's would.
 */
export class ResponseValidator {
  private readonly ajv = newAjv();

  constructor(
    private readonly doc: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> },
  ) {
    this.ajv.addSchema({ ...doc, $id: DOC_ID });
  }

  /** Problems of `body` as the answer `status` of `method path` (path as the document writes it), or [] when it conforms. */
  errors(method: string, path: string, status: number, body: unknown, mediaType = 'application/json'): string[] {
    const response = this.doc.paths[path]?.[method.toLowerCase()]?.responses[String(status)];
    if (!response) return [`the document declares no ${status} answer for ${method} ${path}`];
    if (!response.content?.[mediaType]) return [`the document declares no ${mediaType} body for ${status} of ${method} ${path}`];
    const ref = `${DOC_ID}#/${pointer('paths', path, method.toLowerCase(), 'responses', String(status), 'content', mediaType, 'schema')}`;
    const validate = this.ajv.getSchema(ref);
    if (!validate) return [`cannot resolve ${ref}`];
    return validate(body)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }
}
