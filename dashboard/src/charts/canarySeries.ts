import type { CanaryLook } from '../types';

/**
 * The canary chart's lines from the release's looks: x = look time (seconds, as uPlot's time
 * scale wants), one statistic line per metric, and the boundaries — one dashed line per
 * distinct boundary at the last look, naming the metrics it holds for (alpha is split between
 * metrics, so several metrics often share one). Pure, so the chart component only draws;
 * `key` names the series, so a poll that keeps it only updates data.
 */
export interface CanarySeries {
  key: string;
  labels: { label: string; boundary: boolean }[];
  data: [number[], ...(number | null)[][]];
}

export function canarySeries(looks: readonly CanaryLook[]): CanarySeries {
  const ids = [...new Set(looks.flatMap((l) => l.metrics.map((m) => m.id)))];
  const metricAt = (look: CanaryLook, id: string) => look.metrics.find((m) => m.id === id);
  // Metrics grouped by their boundary at the last look, in order of first appearance.
  const groups = new Map<number, string[]>();
  for (const m of looks.at(-1)?.metrics ?? []) groups.set(m.boundary, [...(groups.get(m.boundary) ?? []), m.id]);
  const boundaryGroups = [...groups.values()];
  const labels = [
    ...ids.map((id) => ({ label: id, boundary: false })),
    ...boundaryGroups.map((members) => ({ label: `boundary (${members.join(', ')})`, boundary: true })),
  ];
  const columns: (number | null)[][] = [
    ...ids.map((id) => looks.map((l) => metricAt(l, id)?.statistic ?? null)),
    ...boundaryGroups.map((members) => looks.map((l) => metricAt(l, members[0]!)?.boundary ?? null)),
  ];
  return {
    key: labels.map((l) => l.label).join('|'),
    labels,
    data: [looks.map((l) => Date.parse(l.at) / 1000), ...columns],
  };
}
