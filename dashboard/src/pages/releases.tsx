import { useApi } from '../api';
import { duration, Loaded, StatusBadge, when } from '../components/states';
import { href } from '../router';
import type { ReleaseList } from '../types';
import type { PageDef } from './pageDef';

const LIST_POLL_MS = 3000;

/** Every release, newest first, with where it is or how it ended. */
function ReleasesPage() {
  const state = useApi<ReleaseList>('/releases?limit=200', { pollMs: LIST_POLL_MS });
  return (
    <>
      <h1>Releases</h1>
      <Loaded state={state} what="releases">
        {(list) => (
          <>
            {list.unreadable.length > 0 && (
              <p class="error" role="alert">
                {list.unreadable.length} release record(s) cannot be read: {list.unreadable.map((u) => `${u.id} (${u.error})`).join('; ')}
              </p>
            )}
            {list.releases.length === 0 ? (
              <p class="muted">No releases yet.</p>
            ) : (
              <table class="releases" data-testid="releases">
                <thead>
                  <tr>
                    <th>Release</th>
                    <th>Pipeline</th>
                    <th>Status</th>
                    <th>Stage</th>
                    <th>Model</th>
                    <th>Started</th>
                    <th>Took</th>
                    <th>Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {list.releases.map((r) => (
                    <tr data-release={r.id}>
                      <td>
                        <a href={href('/releases', r.id)}>{r.id}</a>
                      </td>
                      <td>{r.pipeline}</td>
                      <td>
                        <StatusBadge status={r.status} />
                      </td>
                      <td>{r.stage.replace('_', ' ')}</td>
                      <td>{r.model ? `v${r.model.version}` : ''}</td>
                      <td>{when(r.createdAt)}</td>
                      <td>{duration(r.createdAt, r.endedAt)}</td>
                      <td>{r.reason ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Loaded>
    </>
  );
}

export const page: PageDef = { path: '/releases', title: 'Releases', nav: 'Releases', component: ReleasesPage };
