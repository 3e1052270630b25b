import type { ArmMlFake, ExtraRoute } from './ArmMlFake';
import { ArmHttpError, STABLE_API_VERSION } from './ArmMlFake';

export const PERMISSIONS_API_VERSION = '2022-04-01';
/** Storage Accounts - Get Properties. */
export const STORAGE_API_VERSION = '2023-05-01';

/** A role's permission entry as "Permissions - List For Resource" returns it. */
export interface FakePermission {
  actions: string[];
  notActions: string[];
  dataActions?: string[];
  notDataActions?: string[];
}

/** The built-in AzureML Data Scientist role's control-plane permissions (Azure docs, built-in roles). */
export const AZUREML_DATA_SCIENTIST: FakePermission = {
  actions: [
    'Microsoft.MachineLearningServices/workspaces/*/read',
    'Microsoft.MachineLearningServices/workspaces/*/action',
    'Microsoft.MachineLearningServices/workspaces/*/delete',
    'Microsoft.MachineLearningServices/workspaces/*/write',
  ],
  notActions: [
    'Microsoft.MachineLearningServices/workspaces/delete',
    'Microsoft.MachineLearningServices/workspaces/write',
    'Microsoft.MachineLearningServices/workspaces/computes/*/write',
    'Microsoft.MachineLearningServices/workspaces/computes/*/delete',
    'Microsoft.Authorization/*',
    'Microsoft.MachineLearningServices/workspaces/computes/listKeys/action',
    'Microsoft.MachineLearningServices/workspaces/listKeys/action',
  ],
};
/** The built-in Storage Blob Data Reader role (Azure docs, built-in roles: storage). */
export const STORAGE_BLOB_DATA_READER: FakePermission = {
  actions: [
    'Microsoft.Storage/storageAccounts/blobServices/containers/read',
    'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action',
  ],
  notActions: [],
  dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'],
  notDataActions: [],
};
/** The built-in Monitoring Reader role. */
export const MONITORING_READER: FakePermission = { actions: ['*/read', 'Microsoft.SupportTicket/*'], notActions: [] };

const STORAGE_ACCOUNT =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+)(\/providers\/Microsoft\.Authorization\/permissions)?$/i;
const WORKSPACE =
  /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+)\/(.+)$/i;

/**
 * Routes of the ARM fake for `autopilot doctor`: the caller's permissions at a workspace or a
 * storage account (Microsoft.Authorization, api-version 2022-04-01), storage accounts
 * (Microsoft.Storage, 2023-05-01), computes, and environment containers and versions
 * (2022-10-01). Bodies follow the REST reference; unknown names answer 404 as ARM does.
 */
export class DoctorArmRoutes {
  private readonly permissions = new Map<string, FakePermission[]>();
  private readonly computes = new Map<string, { computeType: string; provisioningState: string }>();
  private readonly environments = new Map<string, string[]>();
  private readonly storageAccounts = new Set<string>();

  private constructor(private readonly fake: ArmMlFake) {}

  static install(fake: ArmMlFake): DoctorArmRoutes {
    const routes = new DoctorArmRoutes(fake);
    fake.addRoute(routes.storageRoute);
    fake.addRoute(routes.route);
    return routes;
  }

  /**
   * A storage account at this id. The caller's permissions there: what setPermissions gave
   * its id, plus Storage Blob Data Reader when `fake.dataAccess.grantBlobRead(account,
   * 'submitter')` granted it, the grant a job's UserIdentity reads its input with.
   */
  addStorageAccount(accountId: string): void {
    this.storageAccounts.add(accountId.toLowerCase());
  }

  /** What the caller holds at the workspace or storage account (the union of its role assignments' permissions). */
  setPermissions(resourceId: string, permissions: FakePermission[]): void {
    this.permissions.set(resourceId.toLowerCase(), permissions);
  }

  addCompute(workspaceId: string, name: string, options: { computeType?: string; provisioningState?: string } = {}): void {
    this.computes.set(`${workspaceId}/computes/${name}`.toLowerCase(), {
      computeType: options.computeType ?? 'AmlCompute',
      provisioningState: options.provisioningState ?? 'Succeeded',
    });
  }

  /** Registers an environment with these versions (the last one is the latest). */
  addEnvironment(workspaceId: string, name: string, versions: string[]): void {
    this.environments.set(`${workspaceId}/environments/${name}`.toLowerCase(), versions);
  }

  private readonly storageRoute: ExtraRoute = (method, url) => {
    const match = STORAGE_ACCOUNT.exec(url.pathname);
    if (!match) return undefined;
    const [, account, permissions] = match as unknown as [string, string, string | undefined];
    const accountId = permissions ? url.pathname.slice(0, -permissions.length) : url.pathname;
    if (method !== 'GET') throw new ArmHttpError(405, 'MethodNotAllowed', `${method} is not served here`);
    const expected = permissions ? PERMISSIONS_API_VERSION : STORAGE_API_VERSION;
    const apiVersion = url.searchParams.get('api-version');
    if (apiVersion !== expected)
      throw new ArmHttpError(400, 'InvalidApiVersionParameter', `api-version '${apiVersion}' is not supported here; use ${expected}`);
    if (!this.storageAccounts.has(accountId.toLowerCase())) {
      throw new ArmHttpError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.Storage/storageAccounts/${account}' under resource group was not found.`,
      );
    }
    if (permissions) {
      const granted = [...(this.permissions.get(accountId.toLowerCase()) ?? [])];
      if (this.fake.dataAccess.canReadBlobs(account, 'submitter')) granted.push(STORAGE_BLOB_DATA_READER);
      return [200, { value: granted }];
    }
    return [
      200,
      {
        id: accountId,
        name: account,
        type: 'Microsoft.Storage/storageAccounts',
        location: 'westeurope',
        kind: 'StorageV2',
        sku: { name: 'Standard_LRS', tier: 'Standard' },
        properties: { provisioningState: 'Succeeded' },
      },
    ];
  };

  private readonly route: ExtraRoute = (method, url) => {
    const match = WORKSPACE.exec(url.pathname);
    if (!match) return undefined;
    const [, workspaceId, rest] = match as unknown as [string, string, string];
    const apiVersion = url.searchParams.get('api-version');
    const parts = rest.split('/');
    const isPermissions = /^providers\/Microsoft\.Authorization\/permissions$/i.test(rest);
    const isCompute = parts[0]?.toLowerCase() === 'computes' && parts.length === 2;
    const isEnvironment =
      parts[0]?.toLowerCase() === 'environments' && (parts.length === 2 || (parts.length === 4 && parts[2]?.toLowerCase() === 'versions'));
    if (!isPermissions && !isCompute && !isEnvironment) return undefined;
    if (method !== 'GET') throw new ArmHttpError(405, 'MethodNotAllowed', `${method} is not served here`);
    const expected = isPermissions ? PERMISSIONS_API_VERSION : STABLE_API_VERSION;
    if (apiVersion !== expected)
      throw new ArmHttpError(400, 'InvalidApiVersionParameter', `api-version '${apiVersion}' is not supported here; use ${expected}`);
    const key = url.pathname.toLowerCase();
    if (isPermissions) return [200, { value: this.permissions.get(workspaceId.toLowerCase()) ?? [] }];
    if (isCompute) {
      const compute = this.computes.get(key);
      if (!compute) throw new ArmHttpError(404, 'ResourceNotFound', `compute '${parts[1]}' not found`);
      return [
        200,
        {
          id: url.pathname,
          name: parts[1],
          type: 'Microsoft.MachineLearningServices/workspaces/computes',
          location: 'westeurope',
          properties: {
            computeType: compute.computeType,
            provisioningState: compute.provisioningState,
            properties: { vmSize: 'STANDARD_DS3_V2' },
          },
        },
      ];
    }
    const containerKey = `${workspaceId}/environments/${parts[1]}`.toLowerCase();
    const versions = this.environments.get(containerKey);
    if (!versions) throw new ArmHttpError(404, 'ResourceNotFound', `environment '${parts[1]}' not found`);
    if (parts.length === 2) {
      const latest = versions.at(-1);
      return [
        200,
        {
          id: url.pathname,
          name: parts[1],
          type: 'Microsoft.MachineLearningServices/workspaces/environments',
          properties: { isArchived: false, ...(latest ? { latestVersion: latest, nextVersion: String(Number(latest) + 1) } : {}) },
        },
      ];
    }
    if (!versions.includes(parts[3]!))
      throw new ArmHttpError(404, 'ResourceNotFound', `environment '${parts[1]}' has no version '${parts[3]}'`);
    return [
      200,
      {
        id: url.pathname,
        name: parts[3],
        type: 'Microsoft.MachineLearningServices/workspaces/environments/versions',
        properties: { image: 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04', osType: 'Linux', isArchived: false },
      },
    ];
  };
}
