import { z } from 'zod';
import { endpointName } from '../../../shared/config/schema';
import { checkResult, metricAggregationCheck, type CheckResult } from '../../../shared/doctor';
import { workspaceArmId, type AzureCoordinates } from '../armMlClient';
import { CANARY_METRICS } from '../workspace/endpointTraffic';
import { armGetJson, describeArmError, METRIC_DEFINITIONS_API_VERSION } from './armDoctorClient';
import type { WorkspaceCheckContext } from './workspaceCheckContext';

/** "Metric Definitions - List" (2018-01-01): what the check reads of each definition. */
const MetricDefinitions = z.object({
  value: z.array(
    z.object({
      name: z.object({ value: z.string() }),
      supportedAggregationTypes: z.array(z.string()).default([]),
    }),
  ),
});

/**
 * Per pipeline, once its prod endpoint exists: the endpoint's metric definitions still offer the
 * metrics the canary analysis reads with the aggregation it asks for (CANARY_METRICS).
 */
export async function checkMetricAggregations(
  coords: AzureCoordinates,
  pipeline: string,
  ctx: WorkspaceCheckContext,
): Promise<CheckResult> {
  const name = `prod: metric aggregations (${pipeline})`;
  const endpoint = endpointName(pipeline, 'prod');
  const endpointId = `${workspaceArmId(coords)}/onlineEndpoints/${endpoint}`;
  try {
    await ctx.client.onlineEndpoints.get(coords.resourceGroup, coords.workspace, endpoint, { abortSignal: ctx.signal });
  } catch (error) {
    const { status, code, message } = describeArmError(error);
    if (status === 404) return checkResult(name, 'skip', `no endpoint ${endpoint} yet: runs once a release has deployed to prod`);
    return checkResult(name, 'warn', `cannot read endpoint ${endpoint}: ${status ? `HTTP ${status} ` : ''}${code ?? message}`);
  }
  let definitions;
  try {
    const body = await armGetJson(
      ctx.client,
      ctx.armEndpoint,
      `${endpointId}/providers/Microsoft.Insights/metricDefinitions`,
      METRIC_DEFINITIONS_API_VERSION,
      ctx.signal,
    );
    definitions = MetricDefinitions.parse(body).value.map((d) => ({ name: d.name.value, aggregations: d.supportedAggregationTypes }));
  } catch (error) {
    const { status, code, message } = describeArmError(error);
    return checkResult(
      name,
      'warn',
      `cannot read the metric definitions of ${endpointId}: ${status ? `HTTP ${status} ` : ''}${code ?? message}`,
      status === 403 ? 'Monitoring Reader on the resource group grants it (infra/main.json assigns it to the function app)' : undefined,
    );
  }
  return metricAggregationCheck(pipeline, endpointId, CANARY_METRICS, definitions);
}
