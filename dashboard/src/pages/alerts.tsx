import { useApi } from '../api';
import { Loaded, when } from '../components/states';
import { href } from '../router';
import type { AlertRecord } from '../types';
import type { PageDef } from './pageDef';

/** What the service did about an alert, in words (shared/alerts/reactToAlert outcomes). */
const DONE: Record<AlertRecord['outcome'], string> = {
  rolled_back: 'rolled the canary back',
  recorded: 'recorded and announced',
  ignored: 'ignored (no endpoint of ours)',
  pending: 'being acted on',
  failed: 'acting failed; Azure will redeliver',
};

const OUTCOME_CLASS: Record<AlertRecord['outcome'], string> = {
  rolled_back: 'warn',
  recorded: 'live',
  ignored: 'idle',
  pending: 'live',
  failed: 'bad',
};

/** Azure Monitor alerts received: what fired, when, on which endpoints, what was done, and the releases it touched. */
function AlertsPage() {
  const alerts = useApi<{ alerts: AlertRecord[] }>('/alerts', { pollMs: 10_000 });
  return (
    <>
      <h1>Alerts</h1>
      <Loaded state={alerts} what="alerts">
        {({ alerts: list }) =>
          list.length === 0 ? (
            <p class="muted">No alert received. Azure Monitor alert rules call /api/alerts through an action group.</p>
          ) : (
            <table data-testid="alerts">
              <thead>
                <tr>
                  <th>Fired</th>
                  <th>Rule</th>
                  <th>Severity</th>
                  <th>Condition</th>
                  <th>Endpoints</th>
                  <th>Done</th>
                  <th>Releases</th>
                </tr>
              </thead>
              <tbody>
                {list.map((a) => (
                  <tr data-alert={a.alert.alertId} data-outcome={a.outcome}>
                    <td>
                      {when(a.alert.firedAt)}
                      <br />
                      <span class="muted">received {when(a.receivedAt)}</span>
                    </td>
                    <td>
                      {a.alert.rule}
                      {a.alert.description ? (
                        <>
                          <br />
                          <span class="muted">{a.alert.description}</span>
                        </>
                      ) : null}
                    </td>
                    <td>{a.alert.severity ?? '—'}</td>
                    <td>
                      {a.alert.condition}
                      {a.alert.resolvedAt ? ` at ${when(a.alert.resolvedAt)}` : ''}
                    </td>
                    <td>{a.endpoints.join(', ') || '—'}</td>
                    <td>
                      <span class={`badge ${OUTCOME_CLASS[a.outcome]}`}>{a.outcome.replace('_', ' ')}</span> {DONE[a.outcome]}
                      {a.reason ? `: ${a.reason}` : ''}
                    </td>
                    <td>
                      {a.releases.length === 0
                        ? '—'
                        : a.releases.map((id) => (
                            <a class="release-link" href={href('/releases', id)}>
                              {id}{' '}
                            </a>
                          ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </>
  );
}

export const page: PageDef = { path: '/alerts', title: 'Alerts', nav: 'Alerts', component: AlertsPage };
