import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ArmHttpError, type ArmMlFake, type ExtraRoute } from './ArmMlFake';

/** ARM "Registry Model Versions - Get / List". */
export const REGISTRY_API_VERSION = '2024-04-01';
/** The management front end's "Resource Management Asset Reference - Import" (what `az ml model share` calls). */
export const IMPORT_API_VERSION = '2021-10-01-dataplanepreview';

const REGISTRY = String.raw`/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.MachineLearningServices/registries/([^/]+)`;
const VERSION_PATH = new RegExp(`^${REGISTRY}/models/([^/]+)/versions(?:/([^/]+))?$`, 'i');
const CONTAINERS_PATH = new RegExp(`^${REGISTRY}/models$`, 'i');
const IMPORT_PATH = new RegExp(`^/mferp/managementfrontend${REGISTRY}/import$`, 'i');
const DISCOVERY_PATH = /^\/registrymanagement\/v1\.0\/registries\/([^/]+)\/discovery$/i;
const SOURCE_ASSET = /^azureml:\/\/locations\/([^/]+)\/workspaces\/([0-9a-f-]{36})\/models\/([^/]+)\/versions\/([^/]+)$/i;

/** ResourceManagementAssetReferenceData as azure-ai-ml's WorkspaceAssetReference sends it. */
const ImportBody = z.strictObject({
  properties: z.strictObject({
    destinationName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/),
    destinationVersion: z.string().min(1),
    sourceAssetId: z
      .string()
      .regex(SOURCE_ASSET, 'must be azureml://locations/{location}/workspaces/{workspace GUID}/models/{name}/versions/{version}'),
  }),
});

export interface RegistryRoutes {
  /** Register with `ArmMlFake.addRoute`. */
  readonly route: ExtraRoute;
  /** Model versions by ARM id (lower case). */
  readonly versions: Map<string, Record<string, unknown>>;
  /** Imports received, in order (what was shared from where). */
  readonly imports: z.infer<typeof ImportBody>['properties'][];
}

/**
 * One Azure ML registry on the ARM fake: registry discovery points the client at the fake
 * itself as the registry's management front end; import deep-copies a workspace model
 * version of `fake` (found by workspace GUID) once its operation is polled to the end.
 */
export function registryRoutes(fake: ArmMlFake, registry: { name: string; subscriptionId: string; resourceGroup: string }): RegistryRoutes {
  const versions = new Map<string, Record<string, unknown>>();
  const imports: RegistryRoutes['imports'] = [];
  const operations = new Map<string, { pollsLeft: number; complete: () => void }>();
  const registryPath = `/subscriptions/${registry.subscriptionId}/resourceGroups/${registry.resourceGroup}/providers/Microsoft.MachineLearningServices/registries/${registry.name}`;
  const sameRegistry = (m: RegExpExecArray) =>
    m[1]!.toLowerCase() === registry.subscriptionId.toLowerCase() &&
    m[2]!.toLowerCase() === registry.resourceGroup.toLowerCase() &&
    m[3]!.toLowerCase() === registry.name.toLowerCase();

  const route: ExtraRoute = (method, url, body) => {
    const apiVersion = url.searchParams.get('api-version');
    const discovery = DISCOVERY_PATH.exec(url.pathname);
    if (discovery && method === 'GET') {
      if (discovery[1]!.toLowerCase() !== registry.name.toLowerCase())
        throw new ArmHttpError(404, 'NotFound', `registry ${discovery[1]} not found`);
      return [
        200,
        {
          registryName: registry.name,
          primaryRegionResourceProviderUri: `${fake.url}/`,
          subscriptionId: registry.subscriptionId,
          resourceGroup: registry.resourceGroup,
          primaryRegion: 'westeurope',
          regions: ['westeurope'],
        },
      ];
    }
    if (url.pathname.startsWith('/fake/registryOperations/') && method === 'GET') {
      const op = operations.get(url.pathname.split('/')[3]!);
      if (!op) throw new ArmHttpError(404, 'OperationNotFound', 'no such operation');
      if (op.pollsLeft-- > 0) return [202, undefined, { location: `${fake.url}${url.pathname}`, 'retry-after': '0' }];
      op.complete();
      return [200, {}];
    }
    const importPath = IMPORT_PATH.exec(url.pathname);
    if (importPath) {
      if (!sameRegistry(importPath)) throw new ArmHttpError(404, 'NotFound', 'no such registry');
      if (method !== 'POST') throw new ArmHttpError(405, 'UnsupportedOperation', `${method} import`);
      if (apiVersion !== IMPORT_API_VERSION)
        throw new ArmHttpError(400, 'InvalidApiVersionParameter', `api-version '${apiVersion}' is not supported by import`);
      const parsed = ImportBody.safeParse(body);
      if (!parsed.success)
        throw new ArmHttpError(
          400,
          'UserError',
          `invalid import body: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      const { destinationName, destinationVersion, sourceAssetId } = parsed.data.properties;
      const [, , guid, sourceName, sourceVersion] = SOURCE_ASSET.exec(sourceAssetId)!;
      const workspacePath = fake.workspacePathOf(guid!);
      const source = workspacePath && fake.resourceAt(`${workspacePath}/models/${sourceName}/versions/${sourceVersion}`);
      if (!source) throw new ArmHttpError(404, 'ResourceNotFound', `source asset ${sourceAssetId} not found`);
      imports.push(parsed.data.properties);
      const id = `${registryPath}/models/${destinationName}/versions/${destinationVersion}`;
      const operation = randomUUID();
      operations.set(operation, {
        pollsLeft: 1,
        complete: () =>
          versions.set(id.toLowerCase(), {
            id,
            name: destinationVersion,
            type: 'Microsoft.MachineLearningServices/registries/models/versions',
            // A deep copy: the files now live in the registry's storage, tags and properties travel along.
            properties: {
              ...source.properties,
              modelUri: `https://registrystorage.blob.core.windows.net/${registry.name}/models/${destinationName}/${destinationVersion}/`,
              provisioningState: 'Succeeded',
            },
            systemData: { createdAt: new Date().toISOString() },
          }),
      });
      return [202, undefined, { location: `${fake.url}/fake/registryOperations/${operation}`, 'retry-after': '0' }];
    }
    const containers = CONTAINERS_PATH.exec(url.pathname);
    if (containers && method === 'GET' && sameRegistry(containers)) {
      if (apiVersion !== REGISTRY_API_VERSION)
        throw new ArmHttpError(400, 'InvalidApiVersionParameter', `api-version '${apiVersion}' is not supported for registry models`);
      // Containers are implicit here: one per name that has a version.
      const names = new Set([...versions.values()].map((v) => String(v.id).split('/models/')[1]!.split('/')[0]!));
      return [200, { value: [...names].map((n) => ({ id: `${registryPath}/models/${n}`, name: n, properties: {} })) }];
    }
    const version = VERSION_PATH.exec(url.pathname);
    if (!version) return undefined;
    if (!sameRegistry(version)) throw new ArmHttpError(404, 'ResourceNotFound', 'no such registry');
    if (apiVersion !== REGISTRY_API_VERSION)
      throw new ArmHttpError(400, 'InvalidApiVersionParameter', `api-version '${apiVersion}' is not supported for registry models`);
    if (method !== 'GET')
      throw new ArmHttpError(
        405,
        'UnsupportedOperation',
        `${method} registry model versions is not implemented by the fake (promotion shares through import)`,
      );
    if (version[5] !== undefined) {
      const found = versions.get(url.pathname.toLowerCase());
      if (!found)
        throw new ArmHttpError(404, 'ResourceNotFound', `model ${version[4]}:${version[5]} not found in registry ${registry.name}`);
      return [200, found];
    }
    const prefix = `${url.pathname.toLowerCase()}/`;
    const listed = [...versions.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v);
    if (!listed.length) throw new ArmHttpError(404, 'ResourceNotFound', `model ${version[4]} not found in registry ${registry.name}`);
    return [200, { value: listed }];
  };
  // Deployments name registry models by asset id; the fake's deployment checks look them up here.
  fake.modelLookups.push((assetId) => {
    const m = /^azureml:\/\/registries\/([^/]+)\/models\/([^/]+)\/versions\/([^/]+)$/i.exec(assetId);
    if (!m || m[1]!.toLowerCase() !== registry.name.toLowerCase()) return undefined;
    return versions.get(`${registryPath}/models/${m[2]}/versions/${m[3]}`.toLowerCase());
  });
  return { route, versions, imports };
}
