/**
 * ASP.NET-style route templates as Azure Functions uses them: `releases/{id}`,
 * `releases/{id?}`, `items/{id:int}`, `files/{*path}`. Literals match case-insensitively.
 */
type Segment =
  | { kind: 'literal'; text: string }
  | { kind: 'param'; name: string; optional: boolean; catchAll: boolean; constraints: ((value: string) => boolean)[] };

export interface CompiledRoute {
  readonly template: string;
  /** Sort key: lower sorts first (literals before constrained params before params). */
  readonly precedence: number[];
  /** Route values for a path relative to the route prefix, or undefined when it does not match. */
  match(path: string): Record<string, string> | undefined;
}

const CONSTRAINTS: Record<string, (arg: string | undefined) => (v: string) => boolean> = {
  alpha: () => (v) => /^[a-z]+$/i.test(v),
  int: () => (v) => /^-?\d+$/.test(v) && Math.abs(Number(v)) <= 2 ** 31,
  long: () => (v) => /^-?\d+$/.test(v),
  bool: () => (v) => /^(true|false)$/i.test(v),
  guid: () => (v) => /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i.test(v),
  decimal: () => (v) => /^-?\d+(\.\d+)?$/.test(v),
  double: () => (v) => !Number.isNaN(Number(v)) && v.trim() !== '',
  float: () => (v) => !Number.isNaN(Number(v)) && v.trim() !== '',
  datetime: () => (v) => !Number.isNaN(Date.parse(v)),
  minlength: (a) => (v) => v.length >= Number(a),
  maxlength: (a) => (v) => v.length <= Number(a),
  length: (a) => {
    const [min, max] = (a ?? '').split(',').map(Number);
    return (v) => (max === undefined ? v.length === min : v.length >= (min ?? 0) && v.length <= max);
  },
  min: (a) => (v) => /^-?\d+$/.test(v) && Number(v) >= Number(a),
  max: (a) => (v) => /^-?\d+$/.test(v) && Number(v) <= Number(a),
  range: (a) => {
    const [min, max] = (a ?? '').split(',').map(Number);
    return (v) => /^-?\d+$/.test(v) && Number(v) >= (min ?? -Infinity) && Number(v) <= (max ?? Infinity);
  },
  regex: (a) => {
    const re = new RegExp(a ?? '', 'i');
    return (v) => re.test(v);
  },
};

export class RouteTemplateError extends Error {
  constructor(template: string, reason: string) {
    super(`Invalid route template '${template}': ${reason}`);
  }
}

function parseParam(template: string, body: string): Segment {
  const catchAll = body.startsWith('*');
  let rest = catchAll ? body.slice(1) : body;
  const optional = rest.endsWith('?');
  if (optional) rest = rest.slice(0, -1);
  const [name, ...constraintTexts] = splitConstraints(rest);
  if (!name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RouteTemplateError(template, `bad parameter name in {${body}}`);
  const constraints = constraintTexts.map((text) => {
    const m = /^([a-z]+)(?:\((.*)\))?$/i.exec(text);
    const factory = m ? CONSTRAINTS[m[1]!.toLowerCase()] : undefined;
    if (!m || !factory) throw new RouteTemplateError(template, `unknown constraint '${text}' on {${name}}`);
    return factory(m[2]);
  });
  return { kind: 'param', name, optional: optional || catchAll, catchAll, constraints };
}

/** Splits `name:int:min(1)` on colons that are not inside parentheses (regex constraints). */
function splitConstraints(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ':' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

export function compileRoute(template: string): CompiledRoute {
  const trimmed = template.replace(/^\/+|\/+$/g, '');
  const segments: Segment[] =
    trimmed === ''
      ? []
      : trimmed.split('/').map((part) => {
          const m = /^\{(.+)\}$/.exec(part);
          if (m) return parseParam(template, m[1]!);
          if (/[{}]/.test(part)) throw new RouteTemplateError(template, `a segment must be all literal or one {parameter}: '${part}'`);
          return { kind: 'literal', text: part.toLowerCase() };
        });
  segments.forEach((s, i) => {
    if (s.kind === 'param' && s.catchAll && i !== segments.length - 1) {
      throw new RouteTemplateError(template, 'a catch-all {*name} must be the last segment');
    }
    if (s.kind === 'param' && s.optional && segments.slice(i + 1).some((n) => n.kind === 'literal' || !n.optional)) {
      throw new RouteTemplateError(template, `optional {${s.name}?} may only be followed by optional parameters`);
    }
  });
  const precedence = segments.map((s) => (s.kind === 'literal' ? 1 : s.catchAll ? 5 : s.optional ? 4 : s.constraints.length > 0 ? 2 : 3));
  return {
    template,
    precedence,
    match(path) {
      const parts = path
        .replace(/^\/+|\/+$/g, '')
        .split('/')
        .filter((p) => p !== '');
      const values: Record<string, string> = {};
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i]!;
        const part = parts[i];
        if (segment.kind === 'literal') {
          if (part === undefined || safeDecode(part)?.toLowerCase() !== segment.text) return undefined;
          continue;
        }
        const raw = segment.catchAll ? parts.slice(i).join('/') : part;
        if (raw === undefined || raw === '') {
          if (!segment.optional) return undefined;
          continue;
        }
        const value = segment.catchAll ? raw.split('/').map(safeDecode).join('/') : safeDecode(raw);
        if (value === undefined || !segment.constraints.every((ok) => ok(value))) return undefined;
        values[segment.name] = value;
        if (segment.catchAll) return values;
      }
      return parts.length <= segments.length ? values : undefined;
    },
  };
}

/** Orders routes so the most specific template is tried first, as ASP.NET routing does. */
export function compareRoutes(a: CompiledRoute, b: CompiledRoute): number {
  const n = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < n; i++) {
    const pa = a.precedence[i] ?? 0;
    const pb = b.precedence[i] ?? 0;
    if (pa !== pb) return pa - pb;
  }
  return 0;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
