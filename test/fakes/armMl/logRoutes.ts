import { z } from 'zod';
import { ArmHttpError, STABLE_API_VERSION, type ExtraRoute } from './ArmMlFake';

const GET_LOGS =
  /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+)\/onlineEndpoints\/([^/]+)\/deployments\/([^/]+)\/getLogs$/i;

/** The body of "Online Deployments - Get Logs" (DeploymentLogsRequest), as the 2022-10-01 REST reference documents it. */
const DeploymentLogsRequest = z.strictObject({
  containerType: z.enum(['StorageInitializer', 'InferenceServer']).optional(),
  tail: z.int().min(0).optional(),
});

export interface ContainerLogs {
  inferenceServer: string;
  storageInitializer?: string;
}

export interface LogRoutes {
  /** Register with `ArmMlFake.addRoute`. */
  readonly route: ExtraRoute;
  /** Bodies of the getLogs calls, as received. */
  readonly requests: z.infer<typeof DeploymentLogsRequest>[];
  /** What each container of a running deployment has printed so far; a deployment without any answers 404. */
  setContainerLogs(workspacePath: string, endpoint: string, deployment: string, logs: ContainerLogs): void;
}

/**
 * `POST …/onlineEndpoints/{e}/deployments/{d}/getLogs?api-version=2022-10-01`: answers
 * `{ content }` with the last `tail` lines of the container asked for (the inference server
 * when the body names none), 404 for a deployment that is not running.
 */
export function logRoutes(): LogRoutes {
  const logs = new Map<string, ContainerLogs>();
  const requests: LogRoutes['requests'] = [];
  const key = (workspacePath: string, endpoint: string, deployment: string) => `${workspacePath}/${endpoint}/${deployment}`.toLowerCase();

  const route: ExtraRoute = (method, url, body) => {
    const m = GET_LOGS.exec(url.pathname);
    if (!m) return undefined;
    if (method !== 'POST') throw new ArmHttpError(405, 'UnsupportedOperation', `${method} is not allowed on getLogs; use POST`);
    if (url.searchParams.get('api-version') !== STABLE_API_VERSION) {
      throw new ArmHttpError(
        400,
        'InvalidApiVersionParameter',
        `api-version '${url.searchParams.get('api-version')}' is not supported here`,
      );
    }
    const parsed = DeploymentLogsRequest.safeParse(body ?? {});
    if (!parsed.success)
      throw new ArmHttpError(
        400,
        'UserError',
        `invalid request body: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
      );
    requests.push(parsed.data);
    const [, workspacePath, endpoint, deployment] = m as unknown as [string, string, string, string];
    const found = logs.get(key(workspacePath, endpoint, deployment));
    if (!found) throw new ArmHttpError(404, 'ResourceNotFound', `Online deployment ${deployment} of endpoint ${endpoint} not found`);
    const text = parsed.data.containerType === 'StorageInitializer' ? (found.storageInitializer ?? '') : found.inferenceServer;
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const tail = parsed.data.tail === undefined || parsed.data.tail === 0 ? lines : lines.slice(-parsed.data.tail);
    return [200, { content: tail.length ? `${tail.join('\n')}\n` : '' }];
  };

  return {
    route,
    requests,
    setContainerLogs: (workspacePath, endpoint, deployment, containerLogs) =>
      logs.set(key(workspacePath, endpoint, deployment), containerLogs),
  };
}
