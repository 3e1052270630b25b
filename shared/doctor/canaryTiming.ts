import type { AutopilotConfig } from '../config/schema';
import { checkResult, type CheckResult } from './checkResult';

/**
 * On the azure backend canary analysis reads Azure Monitor's per-minute metrics, which
 * Monitor may publish a minute or two late (docs/deploy-azure.md, "How a release runs on
 * Azure"): shorter steps judge on no evidence and roll back healthy canaries.
 */
export const AZURE_MIN_BAKE_SECONDS = 120;
export const AZURE_MIN_MAX_STEP_SECONDS = 300;

/**
 * One check per pipeline when prod runs on the azure backend: `warn` when its canary steps
 * are too short for minute metrics, with the YAML that fixes it. Nothing when prod is
 * local (per-request counts suit short steps), and `ok` for blue/green pipelines
 * (`canarySteps: [100]`), which have no canary step to judge.
 */
export function canaryTimingChecks(config: AutopilotConfig, configFile = 'autopilot.yaml'): CheckResult[] {
  if (config.environments.prod.backend !== 'azure') return [];
  return Object.entries(config.pipelines).map(([pipeline, policy]) => {
    const name = `prod: canary timing (${pipeline})`;
    const { bakeSeconds, maxStepSeconds, canarySteps } = policy.rollout;
    if (canarySteps.length === 1)
      return checkResult(name, 'ok', 'blue/green (canarySteps: [100]): no canary step to judge on minute metrics');
    const short: string[] = [];
    if (bakeSeconds < AZURE_MIN_BAKE_SECONDS) short.push(`bakeSeconds ${bakeSeconds} < ${AZURE_MIN_BAKE_SECONDS}`);
    if (maxStepSeconds < AZURE_MIN_MAX_STEP_SECONDS) short.push(`maxStepSeconds ${maxStepSeconds} < ${AZURE_MIN_MAX_STEP_SECONDS}`);
    // What docs/deploy-azure.md suggests (120 and 600), keeping the values that are already long enough.
    const bake = Math.max(bakeSeconds, AZURE_MIN_BAKE_SECONDS);
    const maxStep = maxStepSeconds >= AZURE_MIN_MAX_STEP_SECONDS && maxStepSeconds > bake ? maxStepSeconds : Math.max(600, 2 * bake);
    if (short.length === 0)
      return checkResult(
        name,
        'ok',
        `bakeSeconds ${bakeSeconds}, maxStepSeconds ${maxStepSeconds}: long enough for Azure Monitor's minute metrics`,
      );
    return checkResult(
      name,
      'warn',
      `${short.join(', ')}: canary analysis on Azure reads Azure Monitor's per-minute metrics, published up to a few minutes late, ` +
        'so shorter steps are judged on too little evidence and the last step rolls back healthy canaries',
      [
        `In ${configFile}, under pipelines.${pipeline}:`,
        '    rollout:',
        `      bakeSeconds: ${bake}`,
        `      maxStepSeconds: ${maxStep}`,
      ].join('\n'),
    );
  });
}
