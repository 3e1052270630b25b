import type { EnvironmentName } from '../config/schema';
import type { Stage } from '../release/types';

/**
 * Which environment an action on a release at this stage touches, and so which role it needs
 * (cancelling a canary touches prod). The API and the dashboard's buttons both ask this.
 */
export function environmentAtStage(stage: Stage): EnvironmentName {
  if (stage === 'approval' || stage === 'canary' || stage === 'promote') return 'prod';
  return stage === 'deploy_staging' ? 'staging' : 'dev';
}
