/**
 * Any JSON value as readable HTML: objects as definition lists, arrays of objects as tables,
 * the rest as text. The decision record grows fields over time; this shows new ones without
 * a dashboard change.
 */
export function ValueView(props: { value: unknown }) {
  const { value } = props;
  if (value === null || value === undefined) return <span class="muted">—</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="muted">none</span>;
    if (value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) {
      const columns = [
        ...new Set(
          value.flatMap((v) =>
            Object.entries(v as object)
              .filter(([, x]) => x !== undefined)
              .map(([k]) => k),
          ),
        ),
      ];
      return (
        <table>
          <thead>
            <tr>
              {columns.map((c) => (
                <th>{label(c)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {value.map((row) => (
              <tr>
                {columns.map((c) => (
                  <td>
                    <ValueView value={(row as Record<string, unknown>)[c]} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      );
    }
    return <span>{value.map(text).join(', ')}</span>;
  }
  if (typeof value === 'object') {
    if (Object.keys(value).length === 0) return <span class="muted">none</span>;
    return (
      <dl class="facts">
        {Object.entries(value as Record<string, unknown>)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => (
            <>
              <dt>{label(k)}</dt>
              <dd>
                <ValueView value={v} />
              </dd>
            </>
          ))}
      </dl>
    );
  }
  return <span>{text(value)}</span>;
}

function text(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(4);
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) return new Date(value).toLocaleString();
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** `holdoutRows` -> `holdout rows`. */
export function label(key: string): string {
  return key
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
}
