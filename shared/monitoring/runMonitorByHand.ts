import { runMonitor, type MonitorDeps, type MonitorRun } from './runMonitor';

/**
 * A monitor run someone asked for (API, CLI, dashboard): the same run as the schedule's,
 * plus an audit entry naming who asked and what came of it, since it may start a
 * retraining release. Scheduled runs are not audited: they are the policy acting, and each
 * retraining they start is audited as that release's `create`.
 */
export async function runMonitorByHand(pipeline: string, deps: MonitorDeps, actor: string): Promise<MonitorRun> {
  const run = await runMonitor(pipeline, deps, 'manual');
  const retrain =
    run.retrain &&
    ('releaseId' in run.retrain ? `started retraining release ${run.retrain.releaseId}` : `no retraining: ${run.retrain.skipped}`);
  const why = [`${run.outcome} on ${run.rows} rows`, ...run.reasons.slice(0, 3), retrain].filter(Boolean).join('; ');
  await deps.engine.repo.audit({
    at: deps.clock.now().toISOString(),
    pipeline,
    ...(run.retrain && 'releaseId' in run.retrain ? { releaseId: run.retrain.releaseId } : {}),
    actor,
    action: 'monitor run',
    why: `${run.id}: ${why}`,
  });
  return run;
}
