import { useState } from 'preact/hooks';
import { API_BASE, useApi } from '../api';
import { Loaded, when } from '../components/states';
import { href } from '../router';
import type { AuditPage } from '../types';
import type { PageDef } from './registry';

/** The API's own query (functions/http/audit.ts): spans back from now (90s, 15m, 24h, 7d) or ISO times. */
function auditQuery(since: string, pipeline: string): string {
  const query = new URLSearchParams({ since: since.trim() || '7d' });
  if (pipeline.trim()) query.set('pipeline', pipeline.trim());
  return `/audit?${query.toString()}`;
}

/** The append-only audit log across releases, with a since filter and the same query as a JSON download. */
function AuditLogPage() {
  const [since, setSince] = useState('7d');
  const [pipeline, setPipeline] = useState('');
  const [query, setQuery] = useState(auditQuery('7d', ''));
  const audit = useApi<AuditPage>(query, { pollMs: 10_000 });
  const apply = (event: Event) => {
    event.preventDefault();
    setQuery(auditQuery(since, pipeline));
  };
  return (
    <>
      <h1>Audit log</h1>
      <form class="filters" onSubmit={apply}>
        <label>Since <input name="since" value={since} onInput={(e) => setSince((e.target as HTMLInputElement).value)} placeholder="7d, 24h or an ISO time" /></label>
        <label>Pipeline <input name="pipeline" value={pipeline} onInput={(e) => setPipeline((e.target as HTMLInputElement).value)} placeholder="all" /></label>
        <button type="submit">Show</button>
        <a class="download" href={`${API_BASE}${query}`} download="audit.json">Download JSON</a>
      </form>
      <Loaded state={audit} what="the audit log">
        {(page) => (
          <>
            <p class="muted">{page.entries.length} entries from {when(page.since)} to {when(page.until)}{page.truncated ? ' (more matched: narrow the window)' : ''}</p>
            <table class="audit" data-testid="audit-log">
              <thead><tr><th>When</th><th>Release</th><th>Pipeline</th><th>Who</th><th>What</th><th>Change</th><th>Why</th></tr></thead>
              <tbody>
                {[...page.entries].reverse().map((e) => (
                  <tr>
                    <td>{when(e.at)}</td>
                    <td>{e.releaseId ? <a href={href('/releases', e.releaseId)}>{e.releaseId}</a> : '—'}</td>
                    <td>{e.pipeline ?? ''}</td>
                    <td>{e.actor}</td>
                    <td>{e.action}</td>
                    <td>{e.from && e.to ? `${e.from.stage}/${e.from.status} → ${e.to.stage}/${e.to.status}` : ''}</td>
                    <td>{e.why ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Loaded>
    </>
  );
}

export const page: PageDef = { path: '/audit', title: 'Audit log', nav: 'Audit', component: AuditLogPage };
