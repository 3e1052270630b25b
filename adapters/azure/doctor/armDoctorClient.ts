import type { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { createArmMlClient } from '../armMlClient';
import type { TokenCredential } from '@azure/core-auth';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { z } from 'zod';
import type { Permission } from '../../../shared/doctor';

/** The documented api-version of "Permissions - List For Resource". */
export const PERMISSIONS_API_VERSION = '2022-04-01';
/** "Storage Accounts - Get Properties" (Microsoft.Storage, a GA api-version). */
export const STORAGE_API_VERSION = '2023-05-01';
/** "Metric Definitions - List" of Azure Monitor (Microsoft.Insights), as the REST reference gives it. */
export const METRIC_DEFINITIONS_API_VERSION = '2018-01-01';

export interface ArmConnection {
  /** ARM base URL. @default https://management.azure.com */
  endpoint: string;
  credential: TokenCredential;
  /** Extra CA certificate to trust (a private proxy, or a test fake). @default none */
  trustedCa?: string;
}

/**
 * The Azure ML management client the doctor reads with. One retry only: the doctor reports
 * a sick endpoint, it does not wait for it to heal.
 */
export function createDoctorArmClient(subscriptionId: string, connection: ArmConnection): AzureMachineLearningWorkspaces {
  return createArmMlClient(connection.credential, subscriptionId, {
    endpoint: connection.endpoint,
    trustedCa: connection.trustedCa,
    retryOptions: { maxRetries: 1, retryDelayInMs: 200, maxRetryDelayInMs: 1000 },
  }).client;
}

const PermissionList = z.object({
  value: z.array(
    z.object({
      actions: z.array(z.string()).default([]),
      notActions: z.array(z.string()).default([]),
      dataActions: z.array(z.string()).default([]),
      notDataActions: z.array(z.string()).default([]),
    }),
  ),
  nextLink: z.string().nullish(),
});

/** An ARM answer that is not a success; carries the status for the report. */
export class ArmStatusError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The caller's effective permissions at a resource ("Permissions - List For Resource"), every
 * page; sent through the ML client's pipeline so the bearer token, retries and CA are the same.
 */
export async function listPermissions(
  client: AzureMachineLearningWorkspaces,
  endpoint: string,
  resourceId: string,
  signal?: AbortSignal,
): Promise<Permission[]> {
  const origin = new URL(endpoint).origin;
  let url: string | undefined =
    `${origin}${resourceId}/providers/Microsoft.Authorization/permissions?api-version=${PERMISSIONS_API_VERSION}`;
  const out: Permission[] = [];
  while (url) {
    // Only ever send the token back to the ARM endpoint itself.
    if (new URL(url).origin !== origin) throw new Error(`permissions nextLink points away from ${origin}`);
    const response = await client.pipeline.sendRequest(
      client,
      createPipelineRequest({ url, method: 'GET', headers: createHttpHeaders(), abortSignal: signal }),
    );
    if (response.status >= 400) {
      const error = parseArmError(response.bodyAsText ?? undefined);
      throw new ArmStatusError(response.status, error.code, error.message ?? `HTTP ${response.status}`);
    }
    const page = PermissionList.parse(JSON.parse(response.bodyAsText ?? '{}'));
    out.push(...page.value);
    url = page.nextLink ?? undefined;
  }
  return out;
}

/**
 * GET of an ARM path outside the ML client's operations (a storage account, metric
 * definitions), through its pipeline: same token, retries and CA. Throws ArmStatusError.
 */
export async function armGetJson(
  client: AzureMachineLearningWorkspaces,
  endpoint: string,
  path: string,
  apiVersion: string,
  signal?: AbortSignal,
): Promise<unknown> {
  const url = `${new URL(endpoint).origin}${path}?api-version=${apiVersion}`;
  const response = await client.pipeline.sendRequest(
    client,
    createPipelineRequest({ url, method: 'GET', headers: createHttpHeaders(), abortSignal: signal }),
  );
  if (response.status >= 400) {
    const error = parseArmError(response.bodyAsText ?? undefined);
    throw new ArmStatusError(response.status, error.code, error.message ?? `HTTP ${response.status}`);
  }
  return JSON.parse(response.bodyAsText ?? '{}');
}

function parseArmError(body: string | undefined): { code?: string; message?: string } {
  try {
    return (JSON.parse(body ?? '{}') as { error?: { code?: string; message?: string } }).error ?? {};
  } catch {
    return {};
  }
}

/** Status, ARM error code and a one-line message of an SDK or pipeline failure. */
export function describeArmError(error: unknown): { status?: number; code?: string; message: string } {
  const e = error as { statusCode?: number; code?: string; message?: string; cause?: { code?: string } };
  const status = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  const code = e?.code ?? e?.cause?.code;
  const message = String(e?.message ?? error).split('\n')[0]!;
  return { ...(status !== undefined ? { status } : {}), ...(code ? { code } : {}), message };
}
