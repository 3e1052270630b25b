/**
 * The compute and environment a job or deployment spec names, in the forms Azure ML CLI v2
 * accepts: `azureml:<name>`, `azureml:<name>:<version>`, `azureml:<name>@latest`, a bare name
 * (compute) or a full ARM id. Names are validated before they go into a URL.
 */
export interface EnvironmentReference {
  name: string;
  /** A version, or 'latest' for `@latest`. */
  version: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

export function parseComputeReference(text: string): string | undefined {
  const trimmed = text.trim();
  const fromId = /\/computes\/([^/]+)$/i.exec(trimmed)?.[1];
  const name = fromId ?? trimmed.replace(/^azureml:/i, '');
  return NAME.test(name) ? name : undefined;
}

export function parseEnvironmentReference(text: string): EnvironmentReference | undefined {
  const trimmed = text.trim();
  const fromId = /\/environments\/([^/]+)\/versions\/([^/]+)$/i.exec(trimmed);
  if (fromId) return valid(fromId[1]!, fromId[2]!);
  if (!/^azureml:/i.test(trimmed)) return undefined;
  const rest = trimmed.slice('azureml:'.length);
  const at = rest.lastIndexOf('@');
  if (at > 0) return rest.slice(at + 1) === 'latest' ? valid(rest.slice(0, at), 'latest') : undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > 0) return valid(rest.slice(0, colon), rest.slice(colon + 1));
  return undefined;
}

function valid(name: string, version: string): EnvironmentReference | undefined {
  return NAME.test(name) && (version === 'latest' || NAME.test(version)) ? { name, version } : undefined;
}

export function formatEnvironmentReference(ref: EnvironmentReference): string {
  return ref.version === 'latest' ? `${ref.name}@latest` : `${ref.name}:${ref.version}`;
}
