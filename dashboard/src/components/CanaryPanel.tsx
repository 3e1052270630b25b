import { useMemo } from 'preact/hooks';
import { canarySeries } from '../charts/canarySeries';
import { LineChart } from '../charts/LineChart';
import { useApi } from '../api';
import type { CanaryLook, EndpointView, ReleaseView } from '../types';
import { SplitBar } from './SplitBar';
import { Loaded, when } from './states';

function percent(errors: number, requests: number): string {
  return requests === 0 ? '—' : `${((100 * errors) / requests).toFixed(2)} %`;
}

/** Requests and bad events per arm at the last look (counts are cumulative since the canary started). */
function Arms(props: { look: CanaryLook }) {
  const { canary, stable } = props.look;
  return (
    <table class="arms" data-testid="canary-arms">
      <thead>
        <tr>
          <th>Arm</th>
          <th>Requests</th>
          <th>Errors</th>
          <th>Error rate</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <td>canary</td>
          <td>{canary.requests}</td>
          <td>{canary.errors}</td>
          <td>{percent(canary.errors, canary.requests)}</td>
        </tr>
        <tr>
          <td>stable</td>
          <td>{stable.requests}</td>
          <td>{stable.errors}</td>
          <td>{percent(stable.errors, stable.requests)}</td>
        </tr>
      </tbody>
    </table>
  );
}

/** Each metric's statistic against its boundary at the last look: the numbers the chart draws. */
function Legend(props: { look: CanaryLook }) {
  return (
    <table class="canary-legend" data-testid="canary-legend">
      <thead>
        <tr>
          <th>Metric</th>
          <th>Statistic</th>
          <th>Boundary</th>
          <th>Evidence</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {props.look.metrics.map((m) => (
          <tr class={m.rejected ? 'breached' : ''} data-metric={m.id}>
            <td>{m.id}</td>
            <td class="statistic">{m.statistic.toFixed(3)}</td>
            <td class="boundary">{m.boundary.toFixed(3)}</td>
            <td>{m.sufficient ? 'sufficient' : 'gathering'}</td>
            <td>{m.rejected ? 'regression' : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The prod canary of a release, from its stored looks: the traffic split, requests and
 * errors per arm, and the sequential test's statistic per metric against its boundary over
 * time. The release page polls while the release runs; the chart then only gets new data.
 */
export function CanaryPanel(props: { release: ReleaseView }) {
  const { release } = props;
  const canary = release.canary;
  const looks = canary?.looks ?? [];
  const series = useMemo(() => canarySeries(looks), [looks]);
  const live = release.status === 'running' && release.stage === 'canary';
  const endpoints = useApi<{ endpoints: EndpointView[] }>(canary ? '/endpoints' : null, live ? { pollMs: 2000 } : {});
  // The first model in prod has nothing to compare with: the stage's detail says so.
  if (!canary)
    return (
      <section class="panel canary">
        <h2>Canary</h2>
        <p class="muted">{release.stages.canary?.detail ?? 'No canary yet.'}</p>
      </section>
    );
  const last = looks.at(-1);
  const prod = release.deployments.prod;
  return (
    <section class="panel canary" data-testid="canary-panel" data-looks={looks.length} data-live={String(live)}>
      <h2>Canary{live ? ' (live)' : ''}</h2>
      <dl class="facts">
        <dt>Step</dt>
        <dd>
          {canary.stepIndex + 1}
          {canary.promoteNow ? ` (promoted now by ${canary.promoteNow.by})` : ''}
        </dd>
        <dt>Verdict</dt>
        <dd data-testid="canary-verdict">{canary.verdict ?? 'no look yet'}</dd>
        {canary.stable && (
          <>
            <dt>Stable</dt>
            <dd>{canary.stable}</dd>
          </>
        )}
        {last && (
          <>
            <dt>Last look</dt>
            <dd>
              {when(last.at)} ({looks.length} looks)
            </dd>
          </>
        )}
      </dl>
      {canary.reasons && canary.reasons.length > 0 && (
        <ul class="reasons">
          {canary.reasons.map((r) => (
            <li>{r}</li>
          ))}
        </ul>
      )}
      <Loaded state={endpoints} what="the prod traffic split">
        {(data) => {
          const endpoint = data.endpoints.find((e) => e.name === prod?.endpoint);
          if (!endpoint) return <p class="muted">Prod endpoint not found.</p>;
          return (
            <table class="traffic">
              <thead>
                <tr>
                  <th>Deployment</th>
                  <th>Traffic now</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(endpoint.traffic).map(([deployment, percent]) => (
                  <tr>
                    <td>
                      {deployment}
                      {deployment === prod?.deployment ? ' (candidate)' : ''}
                    </td>
                    <td>{percent} %</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Loaded>
      {last ? (
        <>
          <SplitBar
            parts={[
              { label: 'canary', percent: last.weight, kind: 'canary' },
              { label: 'stable', percent: 100 - last.weight, kind: 'stable' },
            ]}
          />
          <Arms look={last} />
          <LineChart seriesKey={series.key} labels={series.labels} data={series.data} testId="canary-chart" />
          <Legend look={last} />
        </>
      ) : (
        <p class="muted">Waiting for the first look at the canary's traffic.</p>
      )}
    </section>
  );
}
