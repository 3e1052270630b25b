import { useState } from 'preact/hooks';
import { API_BASE, useApi } from '../api';
import { AuditTable } from '../components/releaseSections';
import { Loaded, when } from '../components/states';
import type { AuditPage } from '../types';
import type { PageDef } from './pageDef';

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
        <label>
          Since{' '}
          <input
            name="since"
            value={since}
            onInput={(e) => setSince((e.target as HTMLInputElement).value)}
            placeholder="7d, 24h or an ISO time"
          />
        </label>
        <label>
          Pipeline{' '}
          <input name="pipeline" value={pipeline} onInput={(e) => setPipeline((e.target as HTMLInputElement).value)} placeholder="all" />
        </label>
        <button type="submit">Show</button>
        <a class="download" href={`${API_BASE}${query}`} download="audit.json">
          Download JSON
        </a>
      </form>
      <Loaded state={audit} what="the audit log">
        {(page) => (
          <>
            <p class="muted">
              {page.entries.length} entries from {when(page.since)} to {when(page.until)}
              {page.truncated ? ' (more matched: narrow the window)' : ''}
            </p>
            <AuditTable entries={[...page.entries].reverse()} acrossReleases testId="audit-log" />
          </>
        )}
      </Loaded>
    </>
  );
}

export const page: PageDef = { path: '/audit', title: 'Audit log', nav: 'Audit', component: AuditLogPage };
