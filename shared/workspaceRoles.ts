import type { CollectedInference, MlWorkspace, WorkspaceRoles } from './ports';

/** Whether the workspace reads platform-collected inference data (Azure ML's data collector). */
function collects(workspace: MlWorkspace): workspace is MlWorkspace & CollectedInference {
  return typeof workspace.collectedInference === 'function';
}

/** The roles of a workspace adapter that plays them all itself: the same object in every slot. */
export function facadeRoles(workspace: MlWorkspace): WorkspaceRoles {
  return {
    jobs: workspace,
    models: workspace,
    endpoints: workspace,
    scoring: workspace,
    batch: workspace,
    traffic: workspace,
    shadow: workspace,
    load: workspace,
    logs: workspace,
    ...(collects(workspace) ? { collected: workspace } : {}),
  };
}
