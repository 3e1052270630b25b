import { useState } from 'preact/hooks';
import { apiPost, useApi, type ApiError } from '../api';
import { Loaded, when } from '../components/states';
import { href } from '../router';
import { useSession } from '../session';
import type { Health, MonitorRun } from '../types';
import type { PageDef } from './pageDef';

/** Badge colour per outcome: drift and quality breaches are bad news, too little data is idle. */
const OUTCOME_CLASS: Record<MonitorRun['outcome'], string> = {
  ok: 'ok',
  drift: 'bad',
  'model-quality': 'bad',
  'data-quality': 'warn',
  'insufficient-data': 'idle',
  'no-model': 'idle',
};

export function OutcomeBadge(props: { outcome: MonitorRun['outcome'] }) {
  return (
    <span class={`badge ${OUTCOME_CLASS[props.outcome]}`} data-outcome={props.outcome}>
      {props.outcome}
    </span>
  );
}

/** What a run did about its finding: the retraining release it started, or why it did not. */
export function RetrainNote(props: { run: MonitorRun }) {
  const retrain = props.run.retrain;
  if (!retrain) return null;
  return 'releaseId' in retrain ? (
    <>
      retraining <a href={href('/releases', retrain.releaseId)}>{retrain.releaseId}</a>
    </>
  ) : (
    <span class="muted">{retrain.skipped}</span>
  );
}

/**
 * "Run monitor now": shown to whoever may start releases in dev, the route's own rule
 * (functions/monitors.ts runMonitor: action release:start, environment dev), since a run can start a retraining release.
 */
function RunNow(props: { pipeline: string; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const run = () => {
    setBusy(true);
    setError(undefined);
    apiPost(`/monitors/${encodeURIComponent(props.pipeline)}/run`).then(
      () => {
        setBusy(false);
        props.onDone();
      },
      (e: ApiError) => {
        setBusy(false);
        setError(e);
      },
    );
  };
  return (
    <div class="actions">
      <button type="button" data-action="run-monitor" disabled={busy} onClick={run}>
        {busy ? 'Running…' : 'Run monitor now'}
      </button>
      {error && (
        <span class="error" role="alert">
          {error.message} [{error.code}]
        </span>
      )}
    </div>
  );
}

function PipelineRuns(props: { pipeline: string }) {
  const session = useSession();
  const runs = useApi<{ runs: MonitorRun[] }>(`/monitors/${encodeURIComponent(props.pipeline)}?limit=50`, { pollMs: 10_000 });
  return (
    <section class="panel" data-pipeline={props.pipeline}>
      <h2>{props.pipeline}</h2>
      {session.can('release:start', 'dev') && <RunNow pipeline={props.pipeline} onDone={runs.reload} />}
      <Loaded state={runs} what={`monitor runs of ${props.pipeline}`}>
        {({ runs: list }) =>
          list.length === 0 ? (
            <p class="muted">No monitor run yet.</p>
          ) : (
            <table class="runs" data-testid="monitor-runs">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Trigger</th>
                  <th>Model</th>
                  <th>Rows</th>
                  <th>Outcome</th>
                  <th>Reasons</th>
                  <th>Action</th>
                </tr>
              </thead>
              <tbody>
                {list.map((r) => (
                  <tr data-run={r.id}>
                    <td>
                      <a href={href('/monitors', r.pipeline, r.id)}>{when(r.at)}</a>
                    </td>
                    <td>{r.trigger}</td>
                    <td>{r.model ? `${r.model.name} v${r.model.version}` : '—'}</td>
                    <td>{r.rows}</td>
                    <td>
                      <OutcomeBadge outcome={r.outcome} />
                    </td>
                    <td>
                      {r.reasons.slice(0, 3).join('; ')}
                      {r.reasons.length > 3 ? ` (+${r.reasons.length - 3})` : ''}
                    </td>
                    <td>
                      <RetrainNote run={r} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}

/** Each pipeline's monitor runs, newest first, with what each found and did. */
function MonitorsPage() {
  const health = useApi<Health>('/health');
  return (
    <>
      <h1>Monitors</h1>
      <Loaded state={health} what="pipelines">
        {(h) => h.pipelines.map((p) => <PipelineRuns pipeline={p.name} />)}
      </Loaded>
    </>
  );
}

export const page: PageDef = { path: '/monitors', title: 'Monitors', nav: 'Monitors', component: MonitorsPage };
