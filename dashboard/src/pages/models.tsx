import { useApi } from '../api';
import { Loaded, when } from '../components/states';
import { href } from '../router';
import { ENVIRONMENTS, type ModelView } from '../types';
import type { PageDef } from './pageDef';

function metricsLine(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(', ');
}

/** Registered model versions per environment with their metrics; each links to its lineage. */
function ModelsPage() {
  const models = useApi<{ models: ModelView[] }>('/models', { pollMs: 10_000 });
  return (
    <>
      <h1>Models</h1>
      <Loaded state={models} what="models">
        {({ models: list }) =>
          ENVIRONMENTS.map((environment) => {
            const here = list
              .filter((m) => m.environment === environment)
              .sort((a, b) => a.name.localeCompare(b.name) || b.version - a.version);
            return (
              <section class="panel" data-environment={environment}>
                <h2>{environment}</h2>
                {here.length === 0 ? (
                  <p class="muted">No model registered in {environment}.</p>
                ) : (
                  <table data-testid="models">
                    <thead>
                      <tr>
                        <th>Model</th>
                        <th>Registered</th>
                        <th>Metrics</th>
                        <th>Release</th>
                        <th>Copied from</th>
                      </tr>
                    </thead>
                    <tbody>
                      {here.map((m) => (
                        <tr data-model={`${m.name}:${m.version}`}>
                          <td>
                            <a href={href('/models', environment, m.name, String(m.version))}>
                              {m.name} v{m.version}
                            </a>
                          </td>
                          <td>{when(m.createdAt)}</td>
                          <td>{metricsLine(m.metrics)}</td>
                          <td>{m.lineage.releaseId ? <a href={href('/releases', m.lineage.releaseId)}>{m.lineage.releaseId}</a> : '—'}</td>
                          <td>{m.copiedFrom ? `${m.copiedFrom.environment} ${m.copiedFrom.name} v${m.copiedFrom.version}` : '—'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </section>
            );
          })
        }
      </Loaded>
    </>
  );
}

export { metricsLine };
export const page: PageDef = { path: '/models', title: 'Models', nav: 'Models', component: ModelsPage };
