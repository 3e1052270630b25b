import { HistogramBars } from '../charts/HistogramBars';
import type { FeatureDrift } from '../types';

type Row = { metric: FeatureDrift['breached'][number]; name: string; value?: number; shown: string; rule: string };

function num(x: number | undefined | null, digits = 4): string {
  return x === undefined || x === null ? '—' : x < 1e-4 && x > 0 ? x.toExponential(2) : x.toFixed(digits);
}

/** A threshold as people read it (p-value thresholds may be corrected for the number of tests: 0.00111…). */
function limit(x: number): string {
  return String(Number(x.toPrecision(3)));
}

/** An effect size, and beside it the value with sampling noise taken out (what the threshold judges), when the report has it. */
function effect(raw: number, corrected: number | undefined): string {
  return corrected === undefined ? num(raw) : `${num(raw)} (${num(corrected)} above noise)`;
}

/** A test's p-value, and the Holm-adjusted one that decides, when the report has it. */
function pValue(p: number, f: FeatureDrift): string {
  return f.significance ? `p ${num(p)}, Holm ${num(f.significance.adjustedPValue)} of ${f.significance.tests}` : `p ${num(p)}`;
}

/** The distribution statistics of one feature next to the thresholds they were compared with. */
function statisticRows(f: FeatureDrift): Row[] {
  const t = f.thresholds;
  const { ks, chiSquared, corrected } = f.metrics;
  return [
    { metric: 'psi', name: 'PSI', shown: effect(f.metrics.psi, corrected?.psi), rule: t.psi === null ? 'off' : `> ${limit(t.psi)}` },
    {
      metric: 'jensenShannon',
      name: 'Jensen–Shannon',
      shown: effect(f.metrics.jensenShannon, corrected?.jensenShannon),
      rule: t.jensenShannon === null ? 'off' : `> ${limit(t.jensenShannon)}`,
    },
    ...(f.metrics.wasserstein !== undefined
      ? [
          {
            metric: 'wasserstein' as const,
            name: 'Wasserstein (/ std)',
            shown: effect(f.metrics.wasserstein, corrected?.wasserstein),
            rule: t.wasserstein === null ? 'off' : `> ${limit(t.wasserstein)}`,
          },
        ]
      : []),
    ...(ks
      ? [
          {
            metric: 'ks' as const,
            name: 'KS',
            shown: `D ${num(ks.statistic)}, ${pValue(ks.conservativePValue, f)}`,
            rule: t.ksPValue === null ? 'off' : `p < ${limit(t.ksPValue)}`,
          },
        ]
      : []),
    ...(chiSquared
      ? [
          {
            metric: 'chiSquared' as const,
            name: 'χ²',
            shown: `${num(chiSquared.statistic, 2)} (dof ${chiSquared.dof}), ${pValue(chiSquared.pValue, f)}`,
            rule: t.chiSquaredPValue === null ? 'off' : `p < ${limit(t.chiSquaredPValue)}`,
          },
        ]
      : []),
  ];
}

/** One feature of a monitor run: its histogram, statistics and thresholds, breaches highlighted. */
export function DriftFeature(props: { drift: FeatureDrift }) {
  const f = props.drift;
  return (
    <section class={`panel feature ${f.status}`} data-testid="feature" data-feature={f.feature} data-status={f.status}>
      <h3>
        {f.role === 'prediction' ? 'Prediction' : f.feature}{' '}
        <span class={`badge ${f.status === 'breached' ? 'bad' : f.status === 'ok' ? 'ok' : 'idle'}`}>{f.status}</span>{' '}
        <span class="muted">
          {f.type}, {f.values} of {f.rows} values
        </span>
      </h3>
      <div class="feature-body">
        <HistogramBars feature={f.feature} histogram={f.histogram} />
        <table class="statistics">
          <thead>
            <tr>
              <th>Statistic</th>
              <th>Value</th>
              <th title="A feature drifts when its test is significant after Holm's correction AND an effect above noise passes its threshold">
                Breach when
              </th>
            </tr>
          </thead>
          <tbody>
            {statisticRows(f).map((r) => {
              const breached = f.breached.includes(r.metric);
              const skipped = f.notEvaluated.includes(r.metric);
              return (
                <tr class={breached ? 'breached' : ''} data-metric={r.metric} data-breached={String(breached)}>
                  <td>{r.name}</td>
                  <td>
                    {r.shown}
                    {skipped ? ' (not evaluated: too few values, or switched off)' : ''}
                  </td>
                  <td>{r.rule}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {f.reasons.length > 0 && (
        <ul class="reasons">
          {f.reasons.map((r) => (
            <li>{r}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
