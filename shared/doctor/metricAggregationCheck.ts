import { checkResult, type CheckResult } from './checkResult';

/** A metric the canary analysis reads and the aggregation it asks Azure Monitor for. */
export interface NeededMetric {
  metric: string;
  aggregation: string;
}

/** One entry of Azure Monitor's metric definitions of a resource (name and supportedAggregationTypes). */
export interface MetricDefinition {
  name: string;
  aggregations: readonly string[];
}

/**
 * Does Azure Monitor still offer, for this endpoint, each metric the canary analysis reads
 * with the aggregation it asks for? A query for an unsupported aggregation is refused, and the
 * canary would roll back (or never judge) on no data.
 */
export function metricAggregationCheck(
  pipeline: string,
  endpointId: string,
  needed: readonly NeededMetric[],
  definitions: readonly MetricDefinition[],
): CheckResult {
  const name = `prod: metric aggregations (${pipeline})`;
  const problems: string[] = [];
  for (const { metric, aggregation } of needed) {
    const definition = definitions.find((d) => d.name.toLowerCase() === metric.toLowerCase());
    if (!definition) problems.push(`${metric}: not among the endpoint's metric definitions`);
    else if (!definition.aggregations.some((a) => a.toLowerCase() === aggregation.toLowerCase())) {
      problems.push(`${metric}: supports ${definition.aggregations.join(', ') || 'no aggregation'}, not ${aggregation}`);
    }
  }
  const asked = needed.map((n) => `${n.metric} (${n.aggregation})`).join(', ');
  if (!problems.length) return checkResult(name, 'ok', `Azure Monitor offers what the canary analysis reads: ${asked}`);
  return checkResult(
    name,
    'fail',
    `the canary analysis reads ${asked} of ${endpointId}, and Azure Monitor would refuse or lack:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    'The queries are in adapters/azure/workspace/endpointTraffic.ts (CANARY_METRICS): ask for an aggregation the metric supports; the supported list for online endpoints is in Azure Monitor\'s "Supported metrics - Microsoft.MachineLearningServices/workspaces/onlineEndpoints"',
  );
}
