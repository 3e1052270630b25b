/** Origin only, for logs and dead letters: the path and query of a webhook URL are often its credential (Slack, Teams). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname === '/' && !parsed.search ? parsed.origin : `${parsed.origin}/…`;
  } catch {
    return '(invalid URL)';
  }
}
