import { useApi } from '../api';
import { duration, Loaded, StatusBadge, when } from '../components/states';
import { href } from '../router';
import type { EndpointView, ReleaseList, ReleaseView } from '../types';
import type { PageDef } from './pageDef';

/** Lists are cheap to ask for; a new upload shows here within this long. */
const OVERVIEW_POLL_MS = 3000;

function ReleaseLine(props: { label: string; release: ReleaseView }) {
  const r = props.release;
  return (
    <p class="release-line">
      <span class="muted">{props.label}</span> <a href={href('/releases', r.id)}>{r.id}</a> <StatusBadge status={r.status} />{' '}
      {r.status === 'running' || r.status === 'queued'
        ? `at ${r.stage.replace('_', ' ')} for ${duration(r.stages[r.stage]?.startedAt ?? r.updatedAt)}`
        : `${when(r.endedAt ?? r.updatedAt)}${r.reason ? ` — ${r.reason}` : ''}`}
      {r.model ? ` · ${r.model.name} v${r.model.version}` : ''}
    </p>
  );
}

/** GET /api/health: the pipelines autopilot.yaml defines and where each takes its data from. */
interface Health {
  pipelines: { name: string; container: string; prefix: string }[];
}

function PipelineCard(props: { name: string; watches?: string; releases: ReleaseView[]; endpoints: EndpointView[] }) {
  const current = props.releases.find((r) => r.status === 'running' || r.status === 'queued');
  const last = props.releases.find((r) => r !== current);
  return (
    <section class="panel pipeline" data-pipeline={props.name}>
      <h2>{props.name}</h2>
      {props.watches && <p class="muted">New data in {props.watches} starts a release.</p>}
      <p class="doing" data-testid="doing">
        {current ? `Releasing: ${current.stage.replace('_', ' ')}` : 'Idle'}
      </p>
      {current && <ReleaseLine label="Current" release={current} />}
      {last && <ReleaseLine label="Last" release={last} />}
      {!current && !last && <p class="muted">No release yet: upload training data to start one.</p>}
      <table class="traffic">
        <thead>
          <tr>
            <th>Endpoint</th>
            <th>Environment</th>
            <th>Traffic</th>
          </tr>
        </thead>
        <tbody>
          {props.endpoints.map((e) => (
            <tr>
              <td>{e.name}</td>
              <td>{e.environment}</td>
              <td>
                {Object.entries(e.traffic)
                  .map(([d, p]) => `${d} ${p}%`)
                  .join(', ') || '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Home: each pipeline, what it is doing now, its current or last release and its endpoints. */
function PipelinesPage() {
  const releases = useApi<ReleaseList>('/releases?limit=200', { pollMs: OVERVIEW_POLL_MS });
  const endpoints = useApi<{ endpoints: EndpointView[] }>('/endpoints', { pollMs: OVERVIEW_POLL_MS });
  const health = useApi<Health>('/health');
  return (
    <>
      <h1>Pipelines</h1>
      <Loaded state={releases} what="releases">
        {(list) => {
          // The configured pipelines, and any that only older releases name. Releases come newest first.
          const configured = health.data?.pipelines ?? [];
          const names = [...new Set([...configured.map((p) => p.name), ...list.releases.map((r) => r.pipeline)])].sort();
          if (names.length === 0)
            return <p class="muted">No pipeline has run yet: upload training data (autopilot upload) to start the first release.</p>;
          return names.map((name) => (
            <PipelineCard
              name={name}
              watches={configured.filter((p) => p.name === name).map((p) => `${p.container}/${p.prefix}`)[0]}
              releases={list.releases.filter((r) => r.pipeline === name)}
              // Endpoints are `<pipeline>-<environment>` (DESIGN: operator contract).
              endpoints={(endpoints.data?.endpoints ?? []).filter((e) => e.name === `${name}-${e.environment}`)}
            />
          ));
        }}
      </Loaded>
      {endpoints.error && (
        <p class="error" role="alert">
          Could not load endpoints: {endpoints.error.message}
        </p>
      )}
    </>
  );
}

export const page: PageDef = { path: '/', title: 'Pipelines', nav: 'Pipelines', component: PipelinesPage };
