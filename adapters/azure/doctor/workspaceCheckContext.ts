import type { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { AppBlobs } from '../../../shared/doctor';

/**
 * What the workspace checks (./workspaceChecks.ts, ./dataChecks.ts, ./metricChecks.ts) share: a file of
 * its own, so the checks import it and not each other.
 */
export interface WorkspaceCheckContext {
  client: AzureMachineLearningWorkspaces;
  armEndpoint: string;
  principalId?: string;
  signal?: AbortSignal;
  /** The datastore jobs read the app's blobs through (AUTOPILOT_DATA_DATASTORE) and where those blobs are. */
  data?: { datastore: string; app: AppBlobs };
  /** dev: whether the caller may read the app's blobs, as jobs it submits do (UserIdentity). */
  jobDataRole?: { accountName?: string; onAzure: boolean };
  /** prod: the pipelines whose prod endpoint's metric definitions are checked. */
  metricPipelines?: readonly string[];
}
