import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Colours of the lines in order; boundaries are drawn dashed in the status colour for "bad". */
const PALETTE = ['#0969da', '#8250df', '#1a7f37', '#bf8700', '#cf222e', '#6e7781'];
const BOUNDARY = '#cf222e';

export interface LineChartProps {
  /** Names the series: when it changes the chart is rebuilt, otherwise only its data is set. */
  seriesKey: string;
  labels: { label: string; boundary: boolean }[];
  data: [number[], ...(number | null)[][]];
  height?: number;
  testId?: string;
}

/**
 * A uPlot time-series chart owned by a Preact component: created once per series set,
 * updated with setData on every new poll (no flicker, keeps the user's zoom until data
 * changes), destroyed on unmount.
 */
export function LineChart(props: LineChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const data = props.data as uPlot.AlignedData;

  useEffect(() => {
    const element = host.current!;
    let colour = 0;
    const options: uPlot.Options = {
      width: Math.max(320, element.clientWidth || 800),
      height: props.height ?? 240,
      scales: { x: { time: true } },
      series: [
        {},
        ...props.labels.map((s) => ({
          label: s.label,
          stroke: s.boundary ? BOUNDARY : PALETTE[colour++ % PALETTE.length],
          width: s.boundary ? 1.5 : 2,
          ...(s.boundary ? { dash: [6, 4] } : {}),
          points: { show: true, size: 4 },
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : v.toFixed(3)),
        })),
      ],
      axes: [{}, { label: 'log likelihood ratio', size: 60 }],
    };
    chart.current = new uPlot(options, data, element);
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
    // Rebuilt only when the set of series changes; data updates go through setData below.
  }, [props.seriesKey]);

  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);

  return <div class="chart" ref={host} data-testid={props.testId} />;
}
