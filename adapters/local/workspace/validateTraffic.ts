import { checkTrafficSum } from '../../../shared/endpoints/trafficSum';
import { BadRequestError } from '../../../shared/errors';
import type { EndpointRecord } from './endpointRecord';

/**
 * Azure ML's traffic rules, with messages that say what to change: whole percents 0..100
 * summing to 100 (or all zero), only existing deployments, none that failed.
 */
export function validateTraffic(endpoint: EndpointRecord, traffic: Record<string, number>): void {
  checkDeploymentsExist(endpoint, traffic, 'traffic');
  for (const [name, percent] of Object.entries(traffic)) {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      throw new BadRequestError(`traffic for '${name}' must be a whole percent 0..100, got ${percent}`, 'traffic');
    }
    const deployment = endpoint.deployments.find((d) => d.name === name);
    if (percent > 0 && deployment?.state === 'failed') {
      throw new BadRequestError(
        `deployment '${name}' failed (${deployment.error?.split('\n')[0]}); redeploy it before sending it traffic`,
        'traffic',
      );
    }
    if (percent > 0 && (endpoint.mirrorTraffic[name] ?? 0) > 0) {
      throw new BadRequestError(`deployment '${name}' receives mirror traffic; set its mirror traffic to 0 first`, 'traffic');
    }
  }
  checkTrafficSum(endpoint.name, traffic);
}

/** Mirror rules of Azure ML: at most one deployment, 0..50 percent, not one that has live traffic. */
export function validateMirrorTraffic(endpoint: EndpointRecord, mirror: Record<string, number>): void {
  checkDeploymentsExist(endpoint, mirror, 'mirrorTraffic');
  const mirrored = Object.entries(mirror).filter(([, percent]) => percent > 0);
  if (mirrored.length > 1) throw new BadRequestError('mirror traffic can go to one deployment only', 'mirrorTraffic');
  for (const [name, percent] of Object.entries(mirror)) {
    if (!Number.isInteger(percent) || percent < 0 || percent > 50) {
      throw new BadRequestError(`mirror traffic for '${name}' must be a whole percent 0..50, got ${percent}`, 'mirrorTraffic');
    }
    if (percent > 0 && (endpoint.traffic[name] ?? 0) > 0) {
      throw new BadRequestError(`deployment '${name}' receives live traffic; it cannot also receive mirror traffic`, 'mirrorTraffic');
    }
  }
}

/** A shadow copies 0..100 percent of live requests to one deployment that exists somewhere on the router. */
export function validateShadow(
  endpoint: string,
  target: { endpoint: string; deployment: string },
  percent: number,
  targetDeployments: readonly string[] | undefined,
): void {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw new BadRequestError(`shadow share of endpoint '${endpoint}' must be a percent 0..100, got ${percent}`, 'percent');
  }
  if (percent === 0) return;
  if (!targetDeployments) {
    throw new BadRequestError(
      `shadow target endpoint '${target.endpoint}' does not exist in any environment; deploy it first`,
      'target.endpoint',
    );
  }
  if (!targetDeployments.includes(target.deployment)) {
    throw new BadRequestError(
      `shadow target deployment '${target.deployment}' does not exist on endpoint '${target.endpoint}' (deployments: ${targetDeployments.join(', ') || 'none'})`,
      'target.deployment',
    );
  }
}

function checkDeploymentsExist(endpoint: EndpointRecord, weights: Record<string, number>, where: string): void {
  const known = endpoint.deployments.map((d) => d.name);
  for (const name of Object.keys(weights)) {
    if (!known.includes(name)) {
      throw new BadRequestError(
        `deployment '${name}' does not exist on endpoint '${endpoint.name}' (deployments: ${known.join(', ') || 'none'})`,
        where,
      );
    }
  }
}
