import { STAGES } from '../../../shared/release/stageOrder';
import { betterDirection, LOWER_IS_BETTER } from '../../../shared/evaluation/metricDirection';
import type { AuditEntry, ReleaseView } from '../types';
import { href } from '../router';
import { duration, StatusBadge, when } from './states';

/** Every stage in order with its status, start, duration and detail. */
export function StageTimeline(props: { release: ReleaseView }) {
  const { release } = props;
  return (
    <section class="panel">
      <h2>Stages</h2>
      <ol class="timeline" data-testid="timeline">
        {STAGES.map((stage) => {
          const record = release.stages[stage];
          const status = record?.status ?? 'pending';
          return (
            <li class={`stage ${status}`} data-stage={stage} data-status={status}>
              <span class="stage-name">{stage.replace('_', ' ')}</span>
              <StatusBadge status={status} />
              <span class="stage-time">{when(record?.startedAt)}</span>
              <span class="stage-duration">
                {duration(record?.startedAt, record?.endedAt ?? (status === 'running' ? undefined : record?.startedAt))}
              </span>
              <span class="stage-detail">{record?.detail ?? ''}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function fmt(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : Number.isInteger(value) ? String(value) : value.toFixed(4);
}

/** The evaluation gate: its verdict, and candidate vs champion on every metric. */
export function GateComparison(props: { release: ReleaseView }) {
  const { gate, metrics, model, champion } = props.release;
  if (!gate && !metrics.candidate) return null;
  const names = [...new Set([...Object.keys(metrics.candidate ?? {}), ...Object.keys(metrics.champion ?? {})])].sort();
  return (
    <section class="panel" data-testid="gate">
      <h2>Evaluation gate</h2>
      {gate && (
        <p class={gate.passed ? 'verdict ok' : 'verdict warn'}>
          {gate.outcome === 'inconclusive'
            ? gate.passed
              ? 'Inconclusive, promoted by policy'
              : 'Inconclusive, champion kept'
            : gate.passed
              ? 'Passed'
              : 'Rejected'}
          : {gate.reason}
        </p>
      )}
      {gate?.comparison && <PairedTest comparison={gate.comparison} metric={gate.metric} />}
      <table>
        <thead>
          <tr>
            <th>Metric</th>
            <th>Candidate{model ? ` (v${model.version})` : ''}</th>
            <th>Champion{champion ? ` (v${champion.version})` : ''}</th>
          </tr>
        </thead>
        <tbody>
          {names.map((name) => (
            <tr class={gate?.metric === name ? 'gate-metric' : ''}>
              <td>
                {name}
                {gate?.metric === name ? ' (gate)' : ''}
                {betterDirection(name) && <span class="direction"> {betterDirection(name)}</span>}
              </td>
              <td>{fmt(metrics.candidate?.[name])}</td>
              <td>{fmt(metrics.champion?.[name])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The paired test behind the verdict (docs/evaluation-gate.md); absent on releases from before it. */
function PairedTest(props: { comparison: NonNullable<NonNullable<ReleaseView['gate']>['comparison']>; metric: string }) {
  const c = props.comparison;
  const difference = LOWER_IS_BETTER.has(props.metric) ? `champion − candidate ${props.metric}` : 'candidate − champion';
  const rows: [string, string][] = [
    ['Test', c.test],
    ['Rows compared', String(c.rows)],
    [`Improvement (${difference}, better > 0)`, fmt(c.improvement)],
    [`${Math.round(c.interval.confidence * 1000) / 10}% interval`, `${fmt(c.interval.low)} to ${fmt(c.interval.high)}`],
    [`p-value (H0: ${c.hypothesis})`, c.pValue < 0.0001 ? '< 0.0001' : c.pValue.toPrecision(2)],
    ...(c.rowsNeeded !== undefined ? [['Rows that would settle it', `about ${c.rowsNeeded}`] as [string, string]] : []),
  ];
  return (
    <table data-testid="gate-test">
      <tbody>
        {rows.map(([name, value]) => (
          <tr>
            <th scope="row">{name}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Staging smoke requests and shadow traffic mirrored from prod. */
export function StagingResults(props: { release: ReleaseView }) {
  const staging = props.release.staging;
  if (!staging) return null;
  return (
    <section class="panel" data-testid="staging">
      <h2>Staging ({staging.deployment})</h2>
      <dl class="facts">
        <dt>Smoke</dt>
        <dd>
          {staging.smoke
            ? `${staging.smoke.requests} requests, ${staging.smoke.errors} errors, max ${Math.round(staging.smoke.maxLatencyMs)} ms`
            : 'not run yet'}
        </dd>
        <dt>Shadow</dt>
        <dd>
          {staging.shadow
            ? `${staging.shadow.mirrored} mirrored, ${staging.shadow.compared} compared, ${staging.shadow.agreed} agreed; errors ${staging.shadow.shadowErrors} shadow / ${staging.shadow.liveErrors} live${staging.shadow.note ? ` (${staging.shadow.note})` : ''}`
            : staging.shadowStartedAt
              ? `mirroring since ${when(staging.shadowStartedAt)}`
              : 'not run'}
        </dd>
      </dl>
    </section>
  );
}

/** The approval gate before prod. */
export function ApprovalState(props: { release: ReleaseView }) {
  const approval = props.release.approval;
  if (!approval) return null;
  return (
    <section class="panel" data-testid="approval">
      <h2>Approval</h2>
      <p>
        {approval.at
          ? `Approved by ${approval.by ?? 'someone'} at ${when(approval.at)}`
          : `Waiting for approval since ${when(approval.requestedAt)}`}
      </p>
    </section>
  );
}

/**
 * Audit entries as a table: who or what, when, the status change and why; with `acrossReleases`
 * (the audit page) also the release, linked, and its pipeline.
 */
export function AuditTable(props: { entries: readonly AuditEntry[]; acrossReleases?: boolean; testId: string }) {
  const across = props.acrossReleases === true;
  return (
    <table class="audit" data-testid={props.testId}>
      <thead>
        <tr>
          <th>When</th>
          {across && (
            <>
              <th>Release</th>
              <th>Pipeline</th>
            </>
          )}
          <th>Who</th>
          <th>What</th>
          <th>Change</th>
          <th>Why</th>
        </tr>
      </thead>
      <tbody>
        {props.entries.map((entry) => (
          <tr>
            <td>{when(entry.at)}</td>
            {across && (
              <>
                <td>{entry.releaseId ? <a href={href('/releases', entry.releaseId)}>{entry.releaseId}</a> : '—'}</td>
                <td>{entry.pipeline ?? ''}</td>
              </>
            )}
            <td>{entry.actor}</td>
            <td>{entry.action}</td>
            <td>{entry.from && entry.to ? `${entry.from.stage}/${entry.from.status} → ${entry.to.stage}/${entry.to.status}` : ''}</td>
            <td>{entry.why ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Every decision of the release from its audit log: who or what, when, and why. */
export function DecisionLog(props: { audit: readonly AuditEntry[] }) {
  return (
    <section class="panel">
      <h2>Decisions</h2>
      <AuditTable entries={props.audit} testId="audit" />
    </section>
  );
}
