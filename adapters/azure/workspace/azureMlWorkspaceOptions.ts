import type { TokenCredential } from '@azure/core-auth';
import type { EnvironmentName } from '../../../shared/config/schema';
import type { Logger } from '../../../shared/ports';
import type { CodeUploadProgress } from './codeAssets';
import type { AzureMlRegistry, SourceWorkspace } from './azureRegistry';

/** The registry a promotion target (staging, prod) shares models into, and where each environment's workspace is. */
export interface ModelRegistryOption {
  registry: AzureMlRegistry;
  workspaces: Partial<Record<EnvironmentName, SourceWorkspace>>;
}

export interface AzureMlWorkspaceOptions {
  environment: EnvironmentName;
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  /** Azure region of the workspace (ARM needs it on tracked resources). */
  location: string;
  credential: TokenCredential;
  /** ARM endpoint. @default https://management.azure.com */
  endpoint?: string;
  /** Extra CA certificate to trust (a private proxy, or a test fake). @default none */
  trustedCa?: string;
  /** Compute for jobs whose spec names none. @default none (the service then refuses the job) */
  defaultCompute?: string;
  /**
   * Datastore (AzureBlob, identity-based) through which jobs read blob URLs of the app's storage:
   * such inputs go as azureml://datastores/<name>/paths/... and the job runs as UserIdentity.
   * @default autopilot_artifacts (registered by infra/main.json)
   */
  dataDatastore?: string;
  /** Interval between long-running-operation polls. @default 2000 */
  pollIntervalMs?: number;
  /**
   * How long deploy() waits for an endpoint or deployment being provisioned before it answers
   * 'creating' (the release stage then looks again later). Keep it under the step lease (120 s).
   * @default 60
   */
  provisioningWaitSeconds?: number;
  /** Azure Monitor metrics data-plane endpoint. @default https://{location}.metrics.monitor.azure.com */
  metricsEndpoint?: string;
  /**
   * How long after a minute ends its metrics are read: Azure Monitor publishes platform
   * metrics within about a minute, and a minute read before that would be lost. @default 60
   */
  metricsDelaySeconds?: number;
  /** Time source for metric windows and the schedule (and `until`) of synthetic loads. @default the system clock */
  now?: () => Date;
  /** Progress of code folder uploads (jobs and deployments). @default none */
  onCodeUploadProgress?: (folder: string, progress: CodeUploadProgress) => void;
  /** Token scope of the workspace's MLflow tracking server (job metrics). @default the ARM endpoint's scope (https://management.azure.com/.default in public Azure) */
  mlflowTokenScope?: string;
  /**
   * Models of this workspace are registry assets (staging and prod with azure.registry): promotion
   * shares into the registry and deployments reference `azureml://registries/...`. @default none
   */
  modelRegistry?: ModelRegistryOption;
  /** Where warnings go (an MLflow outage). @default console */
  logger?: Pick<Logger, 'warn'>;
}
