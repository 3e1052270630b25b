import { useApi } from '../api';
import { DriftFeature } from '../components/DriftFeature';
import { Loaded, when } from '../components/states';
import { href } from '../router';
import type { MonitorRun } from '../types';
import { OutcomeBadge, RetrainNote } from './monitors';
import type { PageDef } from './pageDef';

/** Runs the API keeps per list call: a run page finds its run among the newest this many. */
const RUNS_LOOKED_UP = 200;

/** Production quality from joined labels against the model's own evaluation metrics. */
function ModelQuality(props: { quality: NonNullable<MonitorRun['quality']> }) {
  const q = props.quality;
  const names = Object.keys({ ...q.expected, ...q.metrics }).sort();
  if (q.labelled === 0)
    return (
      <p class="muted" data-testid="model-quality">
        Model quality: no labelled requests in this window (labels go under ground-truth/{'<pipeline>'}/).
      </p>
    );
  return (
    <section class="panel" data-testid="model-quality">
      <h2>
        Model quality{' '}
        {q.degraded ? (
          <span class="badge bad">degraded</span>
        ) : q.insufficientLabels ? (
          <span class="badge idle">too few labels</span>
        ) : null}
      </h2>
      <p class="muted">
        {q.labelled} labelled requests; {q.unknownRequestIds} labels for unknown requests, {q.malformedRows} malformed.
      </p>
      <table>
        <thead>
          <tr>
            <th>Metric</th>
            <th>In production</th>
            <th>At evaluation</th>
          </tr>
        </thead>
        <tbody>
          {names.map((n) => (
            <tr>
              <td>{n}</td>
              <td>{q.metrics[n]?.toFixed(4) ?? '—'}</td>
              <td>{q.expected[n]?.toFixed(4) ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function RunView(props: { run: MonitorRun }) {
  const { run } = props;
  const report = run.report;
  return (
    <article class="monitor-run" data-run={run.id} data-outcome={run.outcome}>
      <header class="page-head">
        <h1>Monitor run {run.id}</h1>
        <OutcomeBadge outcome={run.outcome} />
        <a href={href('/monitors')}>All runs</a>
      </header>
      <dl class="facts">
        <dt>Pipeline</dt>
        <dd>{run.pipeline}</dd>
        <dt>When</dt>
        <dd>
          {when(run.at)} ({run.trigger})
        </dd>
        <dt>Endpoint</dt>
        <dd>
          {run.endpoint}
          {run.deployment ? ` / ${run.deployment}` : ''}
          {run.model ? ` — ${run.model.name} v${run.model.version}` : ''}
        </dd>
        <dt>Window</dt>
        <dd>
          {when(run.window.from)} – {when(run.window.to)}: {run.rows} rows{report ? ` vs ${report.baselineRows} baseline rows` : ''}
        </dd>
        {run.releaseId && (
          <>
            <dt>Serving release</dt>
            <dd>
              <a href={href('/releases', run.releaseId)}>{run.releaseId}</a>
            </dd>
          </>
        )}
        {run.retrain && (
          <>
            <dt>Done</dt>
            <dd>
              <RetrainNote run={run} />
            </dd>
          </>
        )}
        {run.unreadable.malformedLines + run.unreadable.vanishedBlobs > 0 && (
          <>
            <dt>Unreadable</dt>
            <dd>
              {run.unreadable.malformedLines} malformed lines, {run.unreadable.vanishedBlobs} vanished blobs
            </dd>
          </>
        )}
      </dl>
      {run.reasons.length > 0 && (
        <ul class="reasons" data-testid="run-reasons">
          {run.reasons.map((r) => (
            <li>{r}</li>
          ))}
        </ul>
      )}
      {run.quality && <ModelQuality quality={run.quality} />}
      {report ? (
        <>
          {report.prediction && <DriftFeature drift={report.prediction} />}
          {report.features.map((f) => (
            <DriftFeature drift={f} />
          ))}
        </>
      ) : (
        <p class="muted">No drift report: {run.outcome === 'no-model' ? 'nothing served in prod' : 'no data was compared'}.</p>
      )}
    </article>
  );
}

/** One monitor run: per feature, baseline vs window histograms and the drift statistics against their thresholds. */
function MonitorRunPage(props: { params: Record<string, string> }) {
  const pipeline = props.params['pipeline']!;
  const id = props.params['id']!;
  const runs = useApi<{ runs: MonitorRun[] }>(`/monitors/${encodeURIComponent(pipeline)}?limit=${RUNS_LOOKED_UP}`);
  return (
    <Loaded state={runs} what={`monitor run ${id}`}>
      {({ runs: list }) => {
        const run = list.find((r) => r.id === id);
        return run ? (
          <RunView run={run} />
        ) : (
          <p class="error" role="alert">
            Run {id} is not among the newest {RUNS_LOOKED_UP} runs of {pipeline}.
          </p>
        );
      }}
    </Loaded>
  );
}

export const page: PageDef = { path: '/monitors/:pipeline/:id', title: 'Monitor run', component: MonitorRunPage };
