import { useApi } from '../api';
import { SplitBar } from '../components/SplitBar';
import { Loaded, StatusBadge, when } from '../components/states';
import { href } from '../router';
import { ENVIRONMENTS, type EndpointView } from '../types';
import type { PageDef } from './pageDef';

function EndpointCard(props: { endpoint: EndpointView }) {
  const e = props.endpoint;
  const mirrored = Object.entries(e.mirrorTraffic).filter(([, p]) => p > 0);
  return (
    <section class="panel endpoint" data-endpoint={e.name}>
      <h3>{e.name}</h3>
      <p class="muted">{e.scoringUri}</p>
      <SplitBar testId="traffic" parts={Object.entries(e.traffic).map(([d, p]) => ({ label: d, percent: p }))} />
      {mirrored.length > 0 && (
        <p class="mirror" data-testid="mirror">
          Mirrored (responses discarded): {mirrored.map(([d, p]) => `${d} ${p} %`).join(', ')}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>Deployment</th>
            <th>Model</th>
            <th>State</th>
            <th>Live traffic</th>
            <th>Mirror</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {e.deployments.map((d) => (
            <tr data-deployment={d.name}>
              <td>{d.name}</td>
              <td>
                <a href={href('/models', e.environment, d.model.name, String(d.model.version))}>
                  {d.model.name} v{d.model.version}
                </a>
              </td>
              <td>
                <StatusBadge status={d.state === 'creating' ? 'running' : d.state} />
              </td>
              <td>{e.traffic[d.name] ?? 0} %</td>
              <td>{e.mirrorTraffic[d.name] ? `${e.mirrorTraffic[d.name]} %` : '—'}</td>
              <td>{when(d.createdAt)}</td>
            </tr>
          ))}
          {e.deployments.length === 0 && (
            <tr>
              <td colSpan={6} class="muted">
                No deployment.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {e.deployments.some((d) => d.error) && (
        <ul class="reasons">
          {e.deployments
            .filter((d) => d.error)
            .map((d) => (
              <li>
                {d.name}: {d.error}
              </li>
            ))}
        </ul>
      )}
    </section>
  );
}

/** Every environment's endpoints: deployments, the model each serves, live and mirrored traffic. */
function EndpointsPage() {
  const endpoints = useApi<{ endpoints: EndpointView[] }>('/endpoints', { pollMs: 5000 });
  return (
    <>
      <h1>Endpoints</h1>
      <Loaded state={endpoints} what="endpoints">
        {({ endpoints: list }) =>
          ENVIRONMENTS.map((environment) => {
            const here = list.filter((e) => e.environment === environment);
            return (
              <section class="environment" data-environment={environment}>
                <h2>{environment}</h2>
                {here.length === 0 ? (
                  <p class="muted">No endpoint in {environment} yet.</p>
                ) : (
                  here.map((e) => <EndpointCard endpoint={e} />)
                )}
              </section>
            );
          })
        }
      </Loaded>
    </>
  );
}

export const page: PageDef = { path: '/endpoints', title: 'Endpoints', nav: 'Endpoints', component: EndpointsPage };
