import type { AutopilotConfig } from '../config/schema';
import { checkResult, type CheckResult } from './checkResult';

/**
 * Promotion from an azure dev workspace into another azure workspace: a model registered from
 * a job output (`azureml://jobs/...`) resolves only in the workspace that ran the job, so
 * without an Azure ML registry the staging deployment cannot load it.
 */
export function promotionCheck(config: AutopilotConfig, configFile = 'autopilot.yaml'): CheckResult[] {
  const { dev, staging } = config.environments;
  if (dev.backend !== 'azure' || staging.backend !== 'azure') return [];
  const name = 'promotion: dev -> staging -> prod';
  const registry = config.azure?.registry;
  if (registry) return [checkResult(name, 'ok', `through the Azure ML registry '${registry.name}'`)];
  return [
    checkResult(
      name,
      'warn',
      'no Azure ML registry: staging and prod would register the dev model by its job-output URI, which only the dev workspace can resolve, so their deployments fail',
      [
        `Deploy infra/main.json with createRegistry=true (or use your own registry) and add to ${configFile}:`,
        'azure:',
        '  registry: { name: <registryName output>, subscriptionId: <subscription id>, resourceGroup: <resource group> }',
        'The app identity needs "AzureML Registry User" on it (docs/deploy-azure.md).',
      ].join('\n'),
    ),
  ];
}
