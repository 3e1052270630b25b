/**
 * Whether a BlobCreated event's `data.url` names the same blob as its subject. The engine
 * matches and reads the subject's name; the url is kept as lineage, so the two must agree or
 * a release would record one blob and train on another.
 *
 * The url is virtual-host style (`https://<account>.blob.core.windows.net/<container>/<name>`)
 * in Azure and path style (`http://127.0.0.1:10000/<account>/<container>/<name>`) with
 * Azurite; Storage percent-encodes the name, but a raw name (`#`, `%` unencoded) is accepted
 * when the url ends with it literally. The url is read as a WHATWG URL would read it, so
 * dot segments in the url are resolved before comparing, as any client fetching it would.
 */
export function urlNamesBlob(url: string, container: string, blobName: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  const name = blobName.split('/');
  const segments = decodedSegments(parsed.pathname);
  if (segments && endsWith(segments, [container, ...name]) && segments.length - name.length <= 2) return true;
  // A name Storage did not encode: only a literal ending counts, never a resolved one.
  const raw = url.slice(parsed.origin.length);
  return raw.endsWith(`/${container}/${blobName}`) && raw.split('/').length - name.length <= 3;
}

function decodedSegments(pathname: string): string[] | undefined {
  try {
    return pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

function endsWith(segments: readonly string[], tail: readonly string[]): boolean {
  if (segments.length < tail.length) return false;
  const offset = segments.length - tail.length;
  return tail.every((t, i) => segments[offset + i] === t);
}
