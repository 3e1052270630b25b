import { useLiveApi } from '../api';
import { CanaryPanel } from '../components/CanaryPanel';
import { ReleaseActions } from '../components/ReleaseActions';
import { ApprovalState, DecisionLog, GateComparison, StageTimeline, StagingResults } from '../components/releaseSections';
import { duration, Loaded, StatusBadge, when } from '../components/states';
import { href } from '../router';
import type { ReleaseDetail } from '../types';
import type { PageDef } from './pageDef';

function ReleasePage(props: { params: Record<string, string> }) {
  const id = props.params['id']!;
  // Polled while the release runs, so the page follows it stage by stage.
  const state = useLiveApi<ReleaseDetail>(`/releases/${encodeURIComponent(id)}`, (d) => ['running', 'queued'].includes(d.release.status));
  return (
    <Loaded state={state} what={`release ${id}`}>
      {({ release, audit }) => (
        <article class="release" data-release={release.id} data-status={release.status} data-stage={release.stage}>
          <header class="page-head">
            <h1>Release {release.id}</h1>
            <StatusBadge status={release.status} />
            <span class="muted">
              stage <strong data-testid="stage">{release.stage.replace('_', ' ')}</strong>
            </span>
            <a class="report-link" href={href('/releases', release.id, 'report')}>
              Decision record
            </a>
          </header>
          <dl class="facts">
            <dt>Pipeline</dt>
            <dd>{release.pipeline}</dd>
            <dt>Trigger</dt>
            <dd>
              {release.trigger.kind}
              {release.trigger.by ? ` by ${release.trigger.by}` : ''}
              {release.data ? ` — ${release.data.container}/${release.data.blob}` : ''}
            </dd>
            <dt>Model</dt>
            <dd>
              {release.model ? `${release.model.name} v${release.model.version}` : '—'}
              {release.champion ? ` (champion v${release.champion.version})` : ''}
            </dd>
            <dt>Started</dt>
            <dd>
              {when(release.createdAt)} ({duration(release.createdAt, release.endedAt)}
              {release.endedAt ? '' : ' so far'})
            </dd>
            {release.reason && (
              <>
                <dt>Reason</dt>
                <dd data-testid="reason">{release.reason}</dd>
              </>
            )}
            {release.rollback && (
              <>
                <dt>Rolled back</dt>
                <dd>
                  by {release.rollback.by} at {when(release.rollback.at)}: {release.rollback.why}
                </dd>
              </>
            )}
          </dl>
          <ReleaseActions release={release} onDone={state.reload} />
          <StageTimeline release={release} />
          <GateComparison release={release} />
          <StagingResults release={release} />
          <ApprovalState release={release} />
          <CanaryPanel release={release} />
          <DecisionLog audit={audit} />
        </article>
      )}
    </Loaded>
  );
}

export const page: PageDef = { path: '/releases/:id', title: 'Release', component: ReleasePage };
