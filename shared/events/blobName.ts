import { BadRequestError } from '../errors';

/**
 * Blob names that come from outside (event subjects, API bodies) are checked before
 * anything matches them to a pipeline or reads them. Pipelines are matched on the name as
 * written, but storage clients put the name into a URL, and URL handling resolves `.` and
 * `..` segments (also as `%2e`), so `default/../p5/x.csv` was matched to pipeline
 * `default` while storage read `p5/x.csv`. Rewriting such a name would be a guess about
 * which blob was meant; we refuse it and say how to name the blob instead.
 *
 * Azure's naming rules (1 to 1,024 characters, avoid names ending in `.` or `/`, no
 * control characters, no `\`):
 * https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata
 */
export const MAX_BLOB_NAME_LENGTH = 1024;

const CONTROL = /[\u0000-\u001f\u007f]/;
// A surrogate half without its pair is not Unicode: the name cannot be put into a URL at all.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// Only ASCII escapes can turn into `.`, `/`, `\` or a control character.
const ASCII_ESCAPE = /%([0-7][0-9a-f])/gi;

/** Why `name` cannot be used as a blob name, with how to fix it; undefined when it can. */
export function blobNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty: name a blob, e.g. default/data.csv';
  const length = Array.from(name).length;
  if (length > MAX_BLOB_NAME_LENGTH)
    return `is ${length} characters long; Azure Storage allows at most ${MAX_BLOB_NAME_LENGTH}: use a shorter name`;
  const plain = segmentProblem(name);
  if (plain) return plain;
  // Some clients and tools take a name as already URL-encoded and decode it (once or again).
  let decoded = name;
  for (let next = decodeAsciiEscapes(decoded); next !== decoded; next = decodeAsciiEscapes(decoded)) decoded = next;
  if (decoded === name) return undefined;
  const hidden = segmentProblem(decoded);
  return hidden ? `is percent-encoded: once decoded (${quote(decoded)}) it ${hidden}` : undefined;
}

/** Returns `name` when it is a usable blob name; otherwise a BadRequestError at `where`. */
export function checkBlobName(name: string, where: string): string {
  const problem = blobNameProblem(name);
  if (problem) throw new BadRequestError(`blob name ${quote(name)} ${problem}`, where);
  return name;
}

// Lower-case letters, digits and single hyphens, 3 to 63 long; `$root`, `$web` and `$logs` are Azure's own.
const CONTAINER = /^(?:\$root|\$web|\$logs|[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9])$/;

/** Returns `container` when it is a valid container name (a `..` there would move the URL too). */
export function checkContainerName(container: string, where: string): string {
  if (!CONTAINER.test(container)) {
    throw new BadRequestError(
      `container name ${quote(container)} is not valid: 3 to 63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit`,
      where,
    );
  }
  return container;
}

function segmentProblem(name: string): string | undefined {
  const control = CONTROL.exec(name);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `contains the control character U+${code} at position ${control.index}: rename the blob without control characters`;
  }
  if (LONE_SURROGATE.test(name)) return 'is not valid Unicode (a lone surrogate): rename the blob';
  if (name.includes('\\')) return "contains a backslash: use '/' to separate folders";
  if (name.startsWith('/')) return "starts with '/': leave the leading slash out (names are relative to the container)";
  if (name.endsWith('/')) return "ends with '/', which names a folder, not a blob: name the file";
  const segments = name.split('/');
  if (segments.includes('')) return "has an empty path segment ('//'): use single slashes";
  const dot = segments.find((s) => s === '.' || s === '..');
  if (dot) {
    return `has a '${dot}' path segment, which URLs resolve, so storage would read another blob than the one named: name the blob without '.' and '..' segments`;
  }
  return undefined;
}

function decodeAsciiEscapes(text: string): string {
  return text.replace(ASCII_ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** JSON quoting shows control characters and lone surrogates escaped; a very long name is cut. */
function quote(name: string): string {
  return JSON.stringify(name.length > 120 ? `${name.slice(0, 120)}…` : name);
}
