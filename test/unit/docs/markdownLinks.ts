import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Links and code references in our Markdown, and whether they resolve. Hand-written: no
 * Markdown parser is installed, and our docs use only inline links (`[text](target)`),
 * ATX headings and fenced code blocks, which a few regular expressions read exactly.
 */

export interface Reference {
  file: string;
  line: number;
  target: string;
}

/** Top-level folders of this repository: a backticked path starting with one names a file of ours. */
const REPO_FOLDERS = ['adapters', 'bench', 'cli', 'devhost', 'docs', 'examples', 'functions', 'infra', 'scripts', 'shared', 'test'];

/** The text outside fenced code blocks, line by line (fence lines and their contents blanked). */
function proseLines(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** Inline links and images, outside code, except external ones (http, https, mailto). */
export function linksIn(file: string, markdown: string): Reference[] {
  const out: Reference[] = [];
  proseLines(markdown).forEach((line, index) => {
    const withoutCode = line.replace(/`[^`]*`/g, '');
    for (const match of withoutCode.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1]!;
      if (!/^(https?:|mailto:)/i.test(target)) out.push({ file, line: index + 1, target });
    }
  });
  return out;
}

/**
 * Backticked repository paths outside code blocks: a file (`shared/release/transitions.ts`,
 * with an extension) or a folder (`adapters/local/`, with a trailing slash). Paths without
 * either are left alone: docs also name tests that way (`devhost/functionsHost`), and
 * paths under `ignored` (generated output, .gitignore) need not exist.
 */
export function codePathsIn(file: string, markdown: string, ignored: readonly string[] = []): Reference[] {
  const out: Reference[] = [];
  const folders = REPO_FOLDERS.join('|');
  const path = new RegExp(`^(${folders})/([A-Za-z0-9_./-]*\\.[A-Za-z0-9]+|[A-Za-z0-9_./-]*/)$`);
  proseLines(markdown).forEach((line, index) => {
    for (const match of line.matchAll(/`([^`\s]+)`/g)) {
      const target = match[1]!;
      if (path.test(target) && !ignored.some((prefix) => target.startsWith(prefix))) out.push({ file, line: index + 1, target });
    }
  });
  return out;
}

/** Paths .gitignore leaves out of the repository (`bench/chaos/`), as prefixes. */
export function gitIgnoredPrefixes(gitignore: string): string[] {
  return gitignore
    .split('\n')
    .map((line) => line.trim().replace(/^\//, ''))
    .filter((line) => line && !line.startsWith('#') && !line.includes('*') && line.includes('/') && !line.startsWith('!'));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const text = heading.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
      const slug = text
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
        .replace(/\s/g, '-');
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!);
  }
  return anchors;
}

/** Why a reference does not resolve, or undefined when it does. Paths are relative to `base` (the file's folder for links). */
export function brokenReason(reference: Reference, base: string, repo: string): string | undefined {
  const [pathPart, anchor] = splitAnchor(reference.target);
  const target = pathPart ? resolve(base, decodeURIComponent(pathPart)) : reference.file;
  // A file beside the checkout may exist here and not in the next clone (CI's, a user's).
  if (relative(repo, target).startsWith('..')) return 'outside the repository: it breaks in any other checkout';
  if (!existsSync(target)) return 'no such file';
  if (anchor === undefined) return undefined;
  if (statSync(target).isDirectory() || !target.endsWith('.md')) return 'an anchor into something that is not a Markdown file';
  return headingAnchors(readFileSync(target, 'utf8')).has(anchor) ? undefined : `no heading with anchor #${anchor}`;
}

function splitAnchor(target: string): [string, string | undefined] {
  const hash = target.indexOf('#');
  return hash < 0 ? [target, undefined] : [target.slice(0, hash), target.slice(hash + 1)];
}

/** `file:line target (reason)` for every reference of the files that does not resolve. */
export function brokenReferences(repo: string, files: string[]): string[] {
  const broken: string[] = [];
  const ignored = gitIgnoredPrefixes(readFileSync(join(repo, '.gitignore'), 'utf8'));
  for (const file of files) {
    const markdown = readFileSync(file, 'utf8');
    const checks = [
      ...linksIn(file, markdown).map((r) => ({ r, base: dirname(file) })),
      ...codePathsIn(file, markdown, ignored).map((r) => ({ r, base: repo })),
    ];
    for (const { r, base } of checks) {
      const reason = brokenReason(r, base, repo);
      if (reason) broken.push(`${relative(repo, r.file)}:${r.line} ${r.target} (${reason})`);
    }
  }
  return broken;
}

/** README.md and every page of docs/. */
export function markdownFiles(repo: string): string[] {
  const docs = join(repo, 'docs');
  return [
    join(repo, 'README.md'),
    ...readdirSync(docs)
      .filter((f) => f.endsWith('.md'))
      .map((f) => join(docs, f)),
  ];
}
