import { useApi } from '../api';
import type { EndpointView, ReleaseView } from '../types';
import { Loaded } from './states';

/**
 * The prod canary of a release: the live traffic split of the prod endpoint, the step, the
 * sequential analysis' last verdict and its reasons. (The chart of the statistic against its
 * boundary over time replaces this body once `release.canary.looks` exists.)
 */
export function CanaryPanel(props: { release: ReleaseView }) {
  const { release } = props;
  const canary = release.canary;
  const live = release.status === 'running' && release.stage === 'canary';
  const endpoints = useApi<{ endpoints: EndpointView[] }>(canary ? '/endpoints' : null, live ? { pollMs: 2000 } : {});
  // The first model in prod has nothing to compare with: the stage's detail says so.
  if (!canary) return <section class="panel canary"><h2>Canary</h2><p class="muted">{release.stages.canary?.detail ?? 'No canary yet.'}</p></section>;
  const prod = release.deployments.prod;
  return (
    <section class="panel canary" data-testid="canary-panel">
      <h2>Canary</h2>
      <dl class="facts">
        <dt>Step</dt><dd>{canary.stepIndex + 1}{canary.promoteNow ? ` (promoted now by ${canary.promoteNow.by})` : ''}</dd>
        <dt>Verdict</dt><dd>{canary.verdict ?? 'no look yet'}</dd>
        {canary.stable && (<><dt>Stable</dt><dd>{canary.stable}</dd></>)}
      </dl>
      {canary.reasons && canary.reasons.length > 0 && <ul class="reasons">{canary.reasons.map((r) => <li>{r}</li>)}</ul>}
      <Loaded state={endpoints} what="the prod traffic split">
        {(data) => {
          const endpoint = data.endpoints.find((e) => e.name === prod?.endpoint);
          if (!endpoint) return <p class="muted">Prod endpoint not found.</p>;
          return (
            <table class="traffic">
              <thead><tr><th>Deployment</th><th>Traffic</th></tr></thead>
              <tbody>
                {Object.entries(endpoint.traffic).map(([deployment, percent]) => (
                  <tr><td>{deployment}{deployment === prod?.deployment ? ' (candidate)' : ''}</td><td>{percent} %</td></tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Loaded>
    </section>
  );
}
