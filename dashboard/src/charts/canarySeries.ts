import type { CanaryLook } from '../types';

/**
 * The canary chart's lines from the release's looks: x = look time (seconds, as uPlot's time
 * scale wants), one statistic line per metric, and the boundary — one line when every metric
 * shares it, else one per metric (alpha can be split between metrics). Pure, so the chart
 * component only draws; `key` names the series, so a poll that keeps it only updates data.
 */
export interface CanarySeries {
  key: string;
  labels: { label: string; boundary: boolean }[];
  data: [number[], ...(number | null)[][]];
}

export function canarySeries(looks: readonly CanaryLook[]): CanarySeries {
  const ids = [...new Set(looks.flatMap((l) => l.metrics.map((m) => m.id)))];
  const last = looks.at(-1);
  const boundaries = new Set(last?.metrics.map((m) => m.boundary));
  const shared = boundaries.size <= 1;
  const labels = [
    ...ids.map((id) => ({ label: id, boundary: false })),
    ...(shared ? [{ label: 'boundary', boundary: true }] : ids.map((id) => ({ label: `boundary ${id}`, boundary: true }))),
  ];
  const metricAt = (look: CanaryLook, id: string) => look.metrics.find((m) => m.id === id);
  const columns: (number | null)[][] = [
    ...ids.map((id) => looks.map((l) => metricAt(l, id)?.statistic ?? null)),
    ...(shared
      ? [looks.map((l) => l.metrics[0]?.boundary ?? null)]
      : ids.map((id) => looks.map((l) => metricAt(l, id)?.boundary ?? null))),
  ];
  return {
    key: labels.map((l) => l.label).join('|'),
    labels,
    data: [looks.map((l) => Date.parse(l.at) / 1000), ...columns],
  };
}
