import { useApi } from '../api';
import { Loaded, StatusBadge, when } from '../components/states';
import { href } from '../router';
import type { ModelView, ReleaseDetail } from '../types';
import { metricsLine } from './models';
import type { PageDef } from './pageDef';

/** A blob URL without its query: a SAS token must never be shown (same rule as the decision record's lineage). */
function withoutQuery(url: string): string {
  return url.split('?')[0]!;
}

/** The release that produced the model: its status, trigger and gate, read live. */
function ProducedBy(props: { releaseId: string }) {
  const release = useApi<ReleaseDetail>(`/releases/${encodeURIComponent(props.releaseId)}`);
  return (
    <Loaded state={release} what={`release ${props.releaseId}`}>
      {({ release: r }) => (
        <span data-testid="produced-by">
          <a href={href('/releases', r.id)}>{r.id}</a> <StatusBadge status={r.status} /> {r.trigger.kind}
          {r.trigger.by ? ` by ${r.trigger.by}` : ''}
          {r.gate ? ` — gate ${r.gate.passed ? 'passed' : 'rejected'}: ${r.gate.reason}` : ''}
        </span>
      )}
    </Loaded>
  );
}

function Lineage(props: { model: ModelView }) {
  const m = props.model;
  const l = m.lineage;
  return (
    <section class="panel" data-testid="lineage">
      <h2>Lineage</h2>
      <dl class="facts">
        <dt>Data</dt>
        <dd data-testid="data-url">{l.dataUrl ? withoutQuery(l.dataUrl) : '—'}</dd>
        <dt>Data eTag</dt>
        <dd data-testid="data-etag">{l.dataETag ?? '—'}</dd>
        <dt>Data SHA-256</dt>
        <dd class="hash">{l.dataSha256 ?? '—'}</dd>
        {l.trainingSet && (
          <>
            <dt>Training set</dt>
            <dd>
              {l.trainingSet} <span class="muted">(manifest of every file trained on, with eTags)</span>
            </dd>
          </>
        )}
        <dt>Training job</dt>
        <dd data-testid="job">{l.jobName ?? '—'}</dd>
        <dt>Code hash</dt>
        <dd class="hash" data-testid="code-hash">
          {l.codeHash ?? '—'}
        </dd>
        <dt>Release</dt>
        <dd>{l.releaseId ? <ProducedBy releaseId={l.releaseId} /> : '—'}</dd>
        {m.copiedFrom && (
          <>
            <dt>Copied from</dt>
            <dd>
              {m.copiedFrom.environment}: {m.copiedFrom.name} v{m.copiedFrom.version}
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

/** One model version: metrics, files, tags and where it came from (data, code, job, release). */
function ModelPage(props: { params: Record<string, string> }) {
  const { environment, name } = props.params as { environment: string; name: string };
  const version = Number(props.params['version']);
  const models = useApi<{ models: ModelView[] }>(`/models?name=${encodeURIComponent(name)}`);
  return (
    <Loaded state={models} what={`model ${name}`}>
      {({ models: list }) => {
        const m = list.find((x) => x.environment === environment && x.version === version);
        if (!m)
          return (
            <p class="error" role="alert">
              No version {version} of model {name} in {environment}. <a href={href('/models')}>All models</a>
            </p>
          );
        return (
          <article class="model" data-model={`${m.name}:${m.version}`}>
            <header class="page-head">
              <h1>
                {m.name} v{m.version}
              </h1>
              <span class="muted">{environment}</span>
            </header>
            <dl class="facts">
              <dt>Registered</dt>
              <dd>{when(m.createdAt)}</dd>
              <dt>Metrics</dt>
              <dd data-testid="metrics">{metricsLine(m.metrics) || '—'}</dd>
              <dt>Format</dt>
              <dd>{m.format ?? 'custom_model'}</dd>
              <dt>Files</dt>
              <dd>{m.path}</dd>
              <dt>Files SHA-256</dt>
              <dd class="hash">{m.sha256}</dd>
            </dl>
            <Lineage model={m} />
            <section class="panel">
              <h2>Tags</h2>
              <table>
                <tbody>
                  {Object.entries(m.tags).map(([k, v]) => (
                    <tr>
                      <td>{k}</td>
                      <td>{v}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </article>
        );
      }}
    </Loaded>
  );
}

export const page: PageDef = { path: '/models/:environment/:name/:version', title: 'Model', component: ModelPage };
