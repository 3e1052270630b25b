/** A traffic split as one horizontal bar of coloured parts with their percentages. */
export function SplitBar(props: { parts: { label: string; percent: number; kind?: string }[]; testId?: string }) {
  const shown = props.parts.filter((p) => p.percent > 0);
  if (shown.length === 0)
    return (
      <div class="split empty" data-testid={props.testId}>
        no traffic
      </div>
    );
  return (
    <div class="split" data-testid={props.testId}>
      {shown.map((p, i) => (
        <span class={`part ${p.kind ?? `c${i % 4}`}`} style={{ width: `${p.percent}%` }} title={`${p.label}: ${p.percent} %`}>
          {p.label} {p.percent} %
        </span>
      ))}
    </div>
  );
}
