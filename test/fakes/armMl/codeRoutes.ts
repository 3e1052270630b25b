import { randomUUID } from 'node:crypto';
import {
  BlobServiceClient,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
  type ContainerClient,
} from '@azure/storage-blob';
import { z } from 'zod';
import { DEV_ACCOUNT, DEV_ACCOUNT_KEY } from '../../../devhost/azurite';
import { ArmHttpError, type ExtraRoute } from './ArmMlFake';

/** The api-version of "Code Versions - Get / Create Or Update / Create Or Get Start Pending Upload". */
export const CODE_API_VERSION = '2023-04-01';

const CODE_PATH =
  /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+\/codes\/([^/]+)\/versions\/([^/]+))(\/startPendingUpload)?$/i;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

/** Request bodies as the 2023-04-01 REST reference documents them. */
const PendingUploadRequest = z.strictObject({
  pendingUploadId: z.string().optional(),
  pendingUploadType: z.enum(['None', 'TemporaryBlobReference']),
});
const CodeVersionBody = z.strictObject({
  properties: z.strictObject({
    codeUri: z.url(),
    isAnonymous: z.boolean().optional(),
    isArchived: z.boolean().optional(),
    description: z.string().optional(),
    tags: z.record(z.string(), z.string().nullable()).optional(),
    properties: z.record(z.string(), z.string().nullable()).optional(),
  }),
});

export interface CodeRoutes {
  /** Register with `ArmMlFake.addRoute`. */
  readonly route: ExtraRoute;
  /** The Azurite container the SAS URIs point into (uploads land under `<pendingUploadId>/`). */
  readonly container: ContainerClient;
  /** Registered code versions by ARM id (lower case). */
  readonly versions: Map<string, { id: string; properties: z.infer<typeof CodeVersionBody>['properties'] }>;
  /** Permissions of the SAS handed out next; 'r' makes uploads fail as with a wrong grant. @default 'racwl' */
  sasPermissions: string;
}

/**
 * Code asset operations of ARM ML on top of a real Azurite container: startPendingUpload hands
 * out a container SAS (signed with Azurite's well-known key) below a fresh prefix, as the
 * service hands out one into the workspace storage; PUT refuses a codeUri it never handed out.
 */
export async function codeRoutes(blobPort: number, options: { container?: string } = {}): Promise<CodeRoutes> {
  const accountKey = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY);
  const service = new BlobServiceClient(`http://127.0.0.1:${blobPort}/${DEV_ACCOUNT}`, accountKey);
  const container = service.getContainerClient(options.container ?? 'azureml-blobstore-codes');
  await container.createIfNotExists();
  const handedOut = new Set<string>();
  const versions: CodeRoutes['versions'] = new Map();

  const route: ExtraRoute = (method, url, body) => {
    const m = CODE_PATH.exec(url.pathname);
    if (!m) return undefined;
    const [, versionPath, name, version, pending] = m as unknown as [string, string, string, string, string | undefined];
    if (url.searchParams.get('api-version') !== CODE_API_VERSION) {
      throw new ArmHttpError(
        400,
        'InvalidApiVersionParameter',
        `api-version '${url.searchParams.get('api-version')}' is not supported for code versions; use ${CODE_API_VERSION}`,
      );
    }
    if (!NAME.test(name) || !NAME.test(version))
      throw new ArmHttpError(400, 'UserError', `invalid code asset name or version '${name}:${version}'`);
    const key = versionPath.toLowerCase();
    if (pending && method === 'POST') {
      const request = parse(PendingUploadRequest, body);
      if (request.pendingUploadType !== 'TemporaryBlobReference')
        throw new ArmHttpError(400, 'UserError', 'pendingUploadType must be TemporaryBlobReference');
      const pendingUploadId = request.pendingUploadId ?? randomUUID();
      const blobUri = `${container.url}/${pendingUploadId}`;
      handedOut.add(blobUri);
      const sas = generateBlobSASQueryParameters(
        {
          containerName: container.containerName,
          permissions: ContainerSASPermissions.parse(routes.sasPermissions),
          expiresOn: new Date(Date.now() + 3_600_000),
          protocol: SASProtocol.HttpsAndHttp,
        },
        accountKey,
      ).toString();
      return [
        200,
        {
          pendingUploadId,
          pendingUploadType: 'TemporaryBlobReference',
          blobReferenceForConsumption: {
            blobUri,
            storageAccountArmId: null,
            credential: { credentialType: 'SAS', sasUri: `${blobUri}?${sas}` },
          },
        },
      ];
    }
    if (pending) return undefined;
    if (method === 'GET') {
      const found = versions.get(key);
      if (!found) throw new ArmHttpError(404, 'ResourceNotFound', `code ${name}:${version} not found`);
      return [200, resource(found.id, version, found.properties)];
    }
    if (method === 'PUT') {
      const b = parse(CodeVersionBody, body);
      if (!handedOut.has(b.properties.codeUri))
        throw new ArmHttpError(400, 'UserError', `codeUri ${b.properties.codeUri} is not a blob reference of this workspace`);
      const existing = versions.get(key);
      if (existing && existing.properties.codeUri !== b.properties.codeUri)
        throw new ArmHttpError(409, 'Conflict', `code ${name}:${version} exists and versions are immutable`);
      versions.set(key, { id: versionPath, properties: b.properties });
      return [existing ? 200 : 201, resource(versionPath, version, b.properties)];
    }
    return undefined;
  };
  const routes: CodeRoutes = { route, container, versions, sasPermissions: 'racwl' };
  return routes;
}

function resource(id: string, version: string, properties: object) {
  return {
    id,
    name: version,
    type: 'Microsoft.MachineLearningServices/workspaces/codes/versions',
    properties: { ...properties, provisioningState: 'Succeeded' },
  };
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ArmHttpError(
      400,
      'UserError',
      `invalid request body: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
