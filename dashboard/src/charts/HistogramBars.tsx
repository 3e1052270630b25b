import type { DriftHistogram } from '../types';

const WIDTH = 480;
const HEIGHT = 140;
const GAP = 1;
/** Room under the bars for category names (categorical histograms only). */
const LABELS = 16;

function binLabel(histogram: DriftHistogram, i: number): string {
  if (histogram.kind === 'categorical') return histogram.categories[i] ?? '';
  const fmt = (x: number | undefined) =>
    x === undefined ? '' : Math.abs(x) >= 1000 || Number.isInteger(x) ? String(Math.round(x)) : x.toPrecision(3);
  return `[${fmt(histogram.edges[i])}, ${fmt(histogram.edges[i + 1])})`;
}

/**
 * Baseline vs window proportions over the bins the drift test compared, as paired SVG bars.
 * Plain SVG rather than uPlot: these are a few dozen categorical bars (PSI's quantile bins are
 * unequal in width, so they are drawn as equal slots labelled by their ranges), uPlot is built
 * for time series and would need its bars plugin and one canvas per feature, while SVG is
 * ~40 lines, crisp, and readable in the DOM (a title per bar gives the exact numbers).
 */
export function HistogramBars(props: { feature: string; histogram: DriftHistogram }) {
  const { histogram } = props;
  const bins = histogram.baseline.length;
  const max = Math.max(1e-9, ...histogram.baseline, ...histogram.window);
  const slot = WIDTH / Math.max(1, bins);
  const bar = Math.max(1, slot / 2 - GAP);
  const y = (p: number) => HEIGHT - (p / max) * HEIGHT;
  const named = histogram.kind === 'categorical';
  const total = HEIGHT + (named ? LABELS : 0);
  const fmt = (x: number | undefined) => (x === undefined ? '' : String(Number(x.toPrecision(4))));
  return (
    <figure class="histogram" data-testid="histogram" data-feature={props.feature}>
      <svg viewBox={`0 0 ${WIDTH} ${total}`} width={WIDTH} height={total} role="img" aria-label={`${props.feature}: baseline vs window`}>
        {histogram.baseline.map((b, i) => {
          const w = histogram.window[i] ?? 0;
          const label = binLabel(histogram, i);
          return (
            <g>
              <rect class="baseline" x={i * slot + GAP} y={y(b)} width={bar} height={HEIGHT - y(b)}>
                <title>{`${label} baseline ${(100 * b).toFixed(1)} %`}</title>
              </rect>
              <rect class="window" x={i * slot + GAP + bar} y={y(w)} width={bar} height={HEIGHT - y(w)}>
                <title>{`${label} window ${(100 * w).toFixed(1)} %`}</title>
              </rect>
              {named && (
                <text x={i * slot + slot / 2} y={total - 4} text-anchor="middle">
                  {label.length > slot / 7 ? `${label.slice(0, Math.max(1, Math.floor(slot / 7) - 1))}…` : label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span class="key baseline">baseline</span> <span class="key window">window</span>{' '}
        <span class="muted">
          {histogram.kind === 'numeric'
            ? `${bins} bins over ${fmt(histogram.edges[0])} … ${fmt(histogram.edges.at(-1))}`
            : `${bins} categories`}
        </span>
      </figcaption>
    </figure>
  );
}
