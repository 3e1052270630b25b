import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, ensureError } from '../errors';
import { AutopilotConfig } from './schema';

/**
 * Parses YAML text against a zod schema and reports every problem with the file,
 * the dotted path and the line, so a user can fix all of them in one go.
 */
export function parseYamlWith<S extends z.ZodType>(
  schema: S,
  text: string,
  file: string,
  prepare: (plain: unknown) => unknown = (plain) => plain,
): z.infer<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: '',
        message: e.message.split('\n')[0] ?? e.message,
        line: e.linePos?.[0]?.line,
      })),
    );
  }
  let plain: unknown;
  try {
    // Resolving aliases can still fail (an alias before its anchor, or more aliases than
    // yaml's maxAliasCount: the "billion laughs" guard); that is the user's file, not us.
    plain = doc.toJS() ?? {};
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: ensureError(error).message.split('\n')[0] ?? 'unreadable YAML' }]);
  }
  const result = schema.safeParse(prepare(plain));
  if (result.success) return result.data;
  throw new ConfigError(
    file,
    result.error.issues.map((issue) => {
      const path = issue.path.map(String);
      return { path: path.join('.'), message: issue.message, line: lineOf(doc, lineCounter, path) };
    }),
  );
}

function lineOf(doc: ReturnType<typeof parseDocument>, lineCounter: LineCounter, path: string[]): number | undefined {
  // Walk up until a node exists: a missing key is reported at its parent.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

/**
 * @param defaultEnvironments environment settings for the environments the file leaves out
 * (the app settings of a deployment); an environment the file sets is taken as written.
 */
export function parseConfig(text: string, file = 'autopilot.yaml', defaultEnvironments: Record<string, unknown> = {}): AutopilotConfig {
  return parseYamlWith(AutopilotConfig, text, file, (plain) => {
    if (!Object.keys(defaultEnvironments).length || typeof plain !== 'object' || plain === null) return plain;
    const given = (plain as { environments?: unknown }).environments;
    const environments = typeof given === 'object' && given !== null ? (given as Record<string, unknown>) : {};
    return { ...plain, environments: { ...defaultEnvironments, ...environments } };
  });
}
