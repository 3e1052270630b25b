import { API_BASE, useApi } from '../api';
import { label, ValueView } from '../components/ValueView';
import { Loaded } from '../components/states';
import { href } from '../router';
import type { PageDef } from './pageDef';

/** The order a reviewer reads a decision record in; fields the API adds later follow. */
const ORDER = ['release', 'trigger', 'data', 'training', 'model', 'gate', 'staging', 'approval', 'canary', 'rollback', 'stages', 'actions'];

/** A release's decision record (GET /api/releases/{id}/report) as sections, and as Markdown to download. */
function ReleaseReportPage(props: { params: Record<string, string> }) {
  const id = props.params['id']!;
  const path = `/releases/${encodeURIComponent(id)}/report`;
  const state = useApi<{ report: Record<string, unknown> }>(path);
  return (
    <>
      <header class="page-head">
        <h1>Decision record: {id}</h1>
        <a href={href('/releases', id)}>Release page</a>
        <a class="download" href={`${API_BASE}${path}?format=md`} download={`${id}-decision-record.md`}>
          Download Markdown
        </a>
      </header>
      <Loaded state={state} what="the decision record">
        {({ report }) => {
          const keys = [...ORDER.filter((k) => k in report), ...Object.keys(report).filter((k) => !ORDER.includes(k))];
          return keys.map((key) => (
            <section class="panel report-section" data-section={key}>
              <h2>{label(key)}</h2>
              <ValueView value={key === 'actions' ? withoutReleaseId(report[key]) : report[key]} />
            </section>
          ));
        }}
      </Loaded>
    </>
  );
}

/** Every action is of this release: its id on each row says nothing. */
function withoutReleaseId(actions: unknown): unknown {
  return Array.isArray(actions)
    ? actions.map((a) => (a && typeof a === 'object' ? { ...(a as object), releaseId: undefined } : a))
    : actions;
}

export const page: PageDef = { path: '/releases/:id/report', title: 'Decision record', component: ReleaseReportPage };
