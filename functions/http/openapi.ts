import { apiDocument, type ApiDocument } from '../../shared/api/apiDocument';
import { OpenApiDocumentResponse } from '../../shared/api/openApiResponse';
import { apiRoute, registeredOperations } from './respond';

const VERSION: string = (require('../../package.json') as { version: string }).version;

/** Built on first request: by then every module has registered its routes. */
let document: ApiDocument | undefined;

/** The API's own OpenAPI 3.1 document, from the routes' schemas; anonymous, as a contract is public. */
apiRoute(
  'openApiDocument',
  {
    route: 'openapi.json',
    method: 'GET',
    action: 'anonymous',
    summary: "This API's OpenAPI 3.1 document (docs/api.md is generated from it).",
    responses: { 200: { description: 'The OpenAPI document', json: OpenApiDocumentResponse } },
  },
  async () => {
    document ??= apiDocument(registeredOperations(), { version: VERSION });
    return { jsonBody: document as never };
  },
);
