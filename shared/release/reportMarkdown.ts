import { formatPValue } from '../evaluation/judgeComparison';
import type { ReleaseReport } from './report';
import type { CanarySummary, ModelLineageSection, MonitorTriggerSection } from './reportSections';

/** The record as Markdown, for a pull request, a wiki or an audit folder. */
export function reportMarkdown(report: ReleaseReport): string {
  const r = report.release;
  const lines = [`# Release ${r.id} (${r.pipeline}): ${r.status}`, ''];
  if (r.reason) lines.push(`**Outcome:** ${r.reason}`, '');
  lines.push(
    `- Started ${r.createdAt}${r.endedAt ? `, ended ${r.endedAt}` : ''}`,
    `- Trigger: ${report.trigger.kind}${report.trigger.by ? ` by ${report.trigger.by}` : ''}${report.trigger.note ? ` (${report.trigger.note})` : ''}`,
  );
  if (report.model) lines.push(`- Model: ${report.model.name} v${report.model.version}`);
  if (report.triggeredBy) lines.push(...triggerLines(report.triggeredBy));
  if (report.data) {
    lines.push(
      '',
      '## Data',
      '',
      `- ${report.data.blob} (eTag ${report.data.eTag})${report.data.rows !== undefined ? `, ${report.data.rows} rows` : ''}${report.data.holdoutRows !== undefined ? `, ${report.data.holdoutRows} held out` : ''}`,
    );
    for (const file of report.data.trainingSet ?? []) lines.push(`  - ${file.blob}: ${file.rows} rows, sha256 ${file.sha256}`);
  }
  if (report.training) lines.push('', '## Training', '', `- Job ${report.training.job}`, ...metricLines(report.training.metrics));
  if (report.lineage) lines.push(...lineageLines(report.lineage));
  if (report.gate) lines.push(...gateLines(report.gate));
  if (report.staging) {
    const s = report.staging;
    lines.push('', '## Staging', '', `- Deployment ${s.deployment}`);
    if (s.smoke) lines.push(`- Smoke: ${s.smoke.requests} requests, ${s.smoke.errors} errors, max latency ${s.smoke.maxLatencyMs} ms`);
  }
  if (report.approval)
    lines.push(
      '',
      '## Approval',
      '',
      `- Requested ${report.approval.requestedAt}${report.approval.by ? `; approved by ${report.approval.by} at ${report.approval.at}` : '; not approved'}`,
    );
  if (report.canary) lines.push(...canaryLines(report.canary));
  if (report.rollback) lines.push('', '## Rollback', '', `- ${report.rollback.at} by ${report.rollback.by}: ${report.rollback.why}`);
  lines.push('', '## Stages', '', '| stage | status | ended | detail |', '|---|---|---|---|');
  for (const s of report.stages) lines.push(`| ${s.stage} | ${s.status} | ${s.endedAt ?? ''} | ${cell(s.detail)} |`);
  lines.push('', '## Actions', '', '| at | who | action | why |', '|---|---|---|---|');
  for (const a of report.actions) lines.push(`| ${a.at} | ${cell(a.actor)} | ${cell(a.action)} | ${cell(a.why)} |`);
  return `${lines.join('\n')}\n`;
}

function gateLines(g: NonNullable<ReleaseReport['gate']>): string[] {
  const verdict =
    g.outcome === 'inconclusive'
      ? g.passed
        ? 'Inconclusive, promoted by policy'
        : 'Inconclusive, champion kept'
      : g.passed
        ? 'Passed'
        : 'Rejected';
  const lines = [
    '',
    '## Evaluation gate',
    '',
    `- ${verdict}: ${g.reason}`,
    `- ${g.metric}: candidate ${g.candidate ?? 'n/a'}${g.champion !== undefined ? `, champion${g.championModel ? ` (${g.championModel.name} v${g.championModel.version})` : ''} ${g.champion}` : ''}`,
  ];
  const c = g.comparison;
  if (c) {
    const f = (v: number) => v.toFixed(4);
    lines.push(
      `- Paired test: ${c.test} on ${c.rows} held-out rows; improvement ${f(c.improvement)}, ${Math.round(c.interval.confidence * 1000) / 10}% CI ${f(c.interval.low)} to ${f(c.interval.high)}; p ${formatPValue(c.pValue)} for ${c.hypothesis}`,
    );
    if (c.rowsNeeded !== undefined)
      lines.push(`- About ${c.rowsNeeded} held-out rows would settle it (80 % power at the observed difference)`);
  }
  return lines;
}

function triggerLines(t: MonitorTriggerSection): string[] {
  const source = t.trigger === 'external' ? 'an alert or Azure ML event, recorded as monitor run' : `${t.trigger} monitor run`;
  const lines = [
    '',
    '## Trigger',
    '',
    `- ${source} ${t.id} at ${t.at}: ${t.outcome} on ${t.rows} rows of ${t.endpoint}${t.model ? ` (serving ${t.model.name} v${t.model.version})` : ''}, window ${t.window.from} to ${t.window.to}`,
    ...t.reasons.map((reason) => `  - ${reason}`),
  ];
  if (t.breached.length) {
    lines.push('', '| column | breached | why |', '|---|---|---|');
    for (const f of t.breached)
      lines.push(`| ${cell(`${f.role} ${f.feature}`)} | ${f.metrics.join(', ')} | ${cell(f.reasons.join('; '))} |`);
  }
  return lines;
}

function lineageLines(l: ModelLineageSection): string[] {
  const lines = [
    '',
    '## Model lineage',
    '',
    `- ${l.model.name} v${l.model.version}, registered ${l.model.createdAt}, sha256 ${l.model.sha256}${l.model.format ? `, ${l.model.format}` : ''}`,
  ];
  if (l.copiedFrom) lines.push(`- Copied from ${l.copiedFrom.environment}: ${l.copiedFrom.name} v${l.copiedFrom.version}`);
  if (l.trainingJob || l.codeHash) lines.push(`- Training job ${l.trainingJob ?? 'n/a'}${l.codeHash ? `, code sha256 ${l.codeHash}` : ''}`);
  if (l.data.url || l.data.eTag)
    lines.push(
      `- Data ${l.data.url ?? 'n/a'}${l.data.eTag ? ` (eTag ${l.data.eTag})` : ''}${l.data.sha256 ? `, sha256 ${l.data.sha256}` : ''}`,
    );
  if (l.data.trainingSetManifest) lines.push(`- Training set manifest ${l.data.trainingSetManifest}`);
  if (Object.keys(l.metrics).length) lines.push('- Metrics as registered:', ...metricLines(l.metrics).map((line) => `  ${line}`));
  const tags = Object.entries(l.tags);
  if (tags.length) lines.push('', '| tag | value |', '|---|---|', ...tags.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`));
  return lines;
}

function canaryLines(c: CanarySummary): string[] {
  const lines = [
    '',
    '## Canary',
    '',
    `- ${c.verdict ?? 'no verdict yet'} after ${c.steps} step(s) and ${c.looks} look(s)${c.lastLookAt ? `, the last at ${c.lastLookAt}` : ''}`,
    ...c.reasons.map((reason) => `  - ${reason}`),
  ];
  if (c.promotedBy) lines.push(`- Promoted by hand by ${c.promotedBy.by} at ${c.promotedBy.at}`);
  if (c.test) {
    const detectable = Object.entries(c.test.minDetectable)
      .map(([kind, d]) => `${kind} ${d.risk}× (at least ${percent(d.rateFloor)})`)
      .join(', ');
    lines.push(
      `- Test: always-valid sequential test, α = ${c.test.alpha} shared by all metrics, power ${percent(c.test.power)} against the minimum detectable regressions: ${detectable}`,
    );
    if (c.test.latencyThresholdsMs?.length)
      lines.push(
        `- Latency counted against ${c.test.latencyThresholdsMs.map((ms) => `${ms.toFixed(1)} ms`).join(' and ')} (stable's p50 and p99 plus tolerance)`,
      );
  }
  if (c.arms) {
    const arm = (a: { requests: number; errors: number; errorRate: number }) => `${percent(a.errorRate)} (${a.errors} of ${a.requests})`;
    lines.push(`- Errors: canary ${arm(c.arms.canary)}, stable ${arm(c.arms.stable)}`);
  }
  if (c.metrics.length) {
    lines.push('', `| metric | statistic | boundary | state |`, '|---|---|---|---|');
    for (const m of c.metrics) {
      const state = m.rejected ? 'rejected: regression' : m.sufficient ? 'enough evidence' : 'gathering evidence';
      lines.push(`| ${cell(m.id)} | ${m.statistic.toFixed(3)} | ${m.boundary.toFixed(3)} | ${state} |`);
    }
  }
  return lines;
}

/** 0.0123 -> "1.23%": three significant digits, enough for rates and shares in a record. */
function percent(x: number): string {
  return `${Number((x * 100).toPrecision(3))}%`;
}

function metricLines(metrics: Record<string, number>): string[] {
  return Object.entries(metrics).map(([name, value]) => `- ${name}: ${value}`);
}

/** A table cell: pipes and line breaks would break the row. */
function cell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
