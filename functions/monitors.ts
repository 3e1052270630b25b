import { app, type InvocationContext, type Timer } from '@azure/functions';
import type { Services } from '../adapters/compose';
import { invocationHandler, withInvocation } from '../adapters/telemetry';
import { NotFoundError } from '../shared/errors';
import { listMonitorRuns, monitorDue, monitorLogLine, runMonitor } from '../shared/monitoring/runMonitor';
import { runMonitorByHand } from '../shared/monitoring/runMonitorByHand';
import { z } from 'zod';
import { PipelineParams } from '../shared/api/pathParams';
import { MonitorRunResponse, MonitorRunsResponse } from '../shared/api/monitoringResponses';
import { wholeNumberParam } from './http/queryParams';
import { apiRoute } from './http/respond';
import { services } from './services';

const MonitorRunsQuery = z.object({ limit: wholeNumberParam(1, 200, 20) });

/** Runs each pipeline's monitor when its interval is due; one failing pipeline does not stop the others. */
export async function onMonitorTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const s = await services();
  const deps = s.monitors;
  for (const [pipeline, policy] of Object.entries(s.config.pipelines)) {
    if (!policy.monitoring.enabled || !(await monitorDue(deps.table, pipeline, policy.monitoring.intervalSeconds, new Date()))) continue;
    await withInvocation(context, { pipeline }, async () => {
      try {
        const [previous] = await listMonitorRuns(deps.table, pipeline, 1);
        const line = monitorLogLine(previous, await runMonitor(pipeline, deps, 'schedule'));
        if (line) context.log(line);
      } catch (error) {
        context.error(`monitor of ${pipeline} failed:`, error);
      }
    });
  }
}

// An app setting: every 10 s locally (local.settings.json), every minute on Azure (infra/main.json).
app.timer('monitors', { schedule: '%AUTOPILOT_MONITOR_SCHEDULE%', handler: invocationHandler(onMonitorTimer) });

function pipelineOrThrow(s: Services, pipeline: string): string {
  if (!s.config.pipelines[pipeline])
    throw new NotFoundError('pipeline', pipeline, `Known pipelines: ${Object.keys(s.config.pipelines).join(', ')}`);
  return pipeline;
}

apiRoute(
  'listMonitorRuns',
  {
    route: 'monitors/{pipeline}',
    method: 'GET',
    action: 'read',
    params: PipelineParams,
    query: MonitorRunsQuery,
    summary: "The pipeline's monitor runs, newest first: drift per feature, data and model quality, what each triggered.",
    responses: { 200: { description: 'The monitor runs', json: MonitorRunsResponse } },
  },
  async (_request, s, _caller, { params, query: { limit } }) => {
    const pipeline = pipelineOrThrow(s, params.pipeline);
    return { jsonBody: { runs: await listMonitorRuns(s.monitors.table, pipeline, limit) } };
  },
);

/** On demand: a run may start a retraining release, so it needs the right to start releases. */
apiRoute(
  'runMonitor',
  {
    route: 'monitors/{pipeline}/run',
    method: 'POST',
    action: 'release:start',
    environment: 'dev',
    params: PipelineParams,
    summary: "Runs the pipeline's monitor now; drift may start a retraining release.",
    responses: { 200: { description: 'The run', json: MonitorRunResponse } },
  },
  async (_request, s, caller, { params }) => {
    const pipeline = pipelineOrThrow(s, params.pipeline);
    return { jsonBody: { run: await runMonitorByHand(pipeline, s.monitors, caller!.name) } };
  },
);
