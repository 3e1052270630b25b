import { can, defaultEnvironmentOf, Role, type Action } from '../auth/rbac';
import type { EnvironmentName } from '../config/schema';
import type { ApiDocument } from './apiDocument';
import { ERROR_CODES, ERROR_MEANINGS, type ErrorStatus } from './errorBody';
import type { ApiAccess } from './operation';

type Json = Record<string, unknown>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** docs/api.md from the API document: one section per operation (scripts/apiDocs.ts writes it). */
export function apiMarkdown(doc: ApiDocument): string {
  const out = [
    '# HTTP API',
    '',
    `<!-- Generated from GET /api/openapi.json by \`npm run docs:api\` (scripts/apiDocs.ts); do not edit by hand. -->`,
    '',
    `${doc.info.title} ${doc.info.version}. The machine-readable contract is \`GET /api/openapi.json\` (OpenAPI ${doc.openapi}).`,
    'Every error is `{"error": {"code", "message", "where"?}}`; `where` names the invalid input. Callers send',
    '`Authorization: Bearer <token>` (an Entra ID token on Azure, one from `.autopilot/tokens.json` locally); roles are per environment.',
    '',
  ];
  out.push('| status | code | when |', '| --- | --- | --- |');
  for (const [status, code] of Object.entries(ERROR_CODES))
    out.push(`| ${status} | \`${code}\` | ${ERROR_MEANINGS[Number(status) as ErrorStatus]} |`);
  out.push('');
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Json)[method] as Json | undefined;
      if (op) out.push(...operationSection(method.toUpperCase(), path, op));
    }
  }
  out.push('## Schemas', '');
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
    out.push(`### ${name}`, '', ...propertyLines(schema as Json), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function operationSection(method: string, path: string, op: Json): string[] {
  const lines = [`## \`${method} ${path}\``, '', `${op.summary as string} (\`${op.operationId as string}\`)`, ''];
  if (op.description) lines.push(op.description as string, '');
  lines.push(
    `- **Access:** ${accessText(op['x-autopilot-access'] as ApiAccess, op['x-autopilot-environment'] as EnvironmentName | undefined)}`,
  );
  for (const p of (op.parameters ?? []) as Json[]) {
    const schema = p.schema as Json;
    const desc = (p.description ?? schema.description) as string | undefined;
    lines.push(`- **${p.in} \`${p.name as string}\`**${p.required ? '' : ' (optional)'}: ${typeText(schema)}${desc ? ` — ${desc}` : ''}`);
  }
  const body = ((op.requestBody as Json | undefined)?.content as Json | undefined)?.['application/json'] as Json | undefined;
  if (body) lines.push(`- **Body** (JSON): ${typeText(body.schema as Json, 1)}`);
  const form = ((op.requestBody as Json | undefined)?.content as Json | undefined)?.['application/x-www-form-urlencoded'] as
    Json | undefined;
  if (form) lines.push(`- **Body** (form, \`application/x-www-form-urlencoded\`): ${typeText(form.schema as Json, 1)}`);
  const responses = Object.entries(op.responses as Json) as [string, Json][];
  for (const [status, r] of responses.filter(([status]) => /^[23]/.test(status))) {
    const content = Object.entries((r.content ?? {}) as Json).map(([type, media]) =>
      `\`${type}\` ${type === 'application/json' ? typeText((media as Json).schema as Json, 1) : ''}`.trim(),
    );
    lines.push(`- **${status}** ${r.description as string}${content.length ? `: ${content.join('; ')}` : ''}`);
  }
  const errors = responses
    .filter(([status]) => !/^[23]/.test(status))
    .map(([status, r]) => (r.content ? `\`${status}\`` : `\`${status}\` (from the host, no body)`));
  lines.push(`- **Errors:** ${errors.join(', ')}`);
  return [...lines, ''];
}

function accessText(access: ApiAccess, environment: EnvironmentName | undefined): string {
  if (access === 'anonymous') return 'anonymous';
  if (access === 'function-key') return 'a Functions key (`?code=` or `x-functions-key`), checked by the host';
  const action = access as Action;
  const env = environment ?? defaultEnvironmentOf(action);
  const roles = Role.options.filter((role) => can({ name: 'doc', roles: [{ role, environments: [env] }] }, action, env));
  const where = action === 'read' ? 'any environment' : `in ${env}`;
  return `\`${action}\` ${where} (${roles.join(', ')})`;
}

/** A schema in a few words: a component name, `T[]`, an enum, or `{a, b?}` (with types `depth` levels down). */
function typeText(schema: Json | undefined, depth = 0): string {
  if (!schema) return 'any';
  if (typeof schema.$ref === 'string') return `[${schema.$ref.split('/').pop()}](#${schema.$ref.split('/').pop()!.toLowerCase()})`;
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (schema.const !== undefined) return `\`${String(schema.const)}\``;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Json[]).map((s) => typeText(s)).join(' \\| ');
  if (schema.type === 'array') return `${typeText(schema.items as Json, depth)}[]`;
  if (schema.type === 'object' && schema.properties) {
    const required = new Set((schema.required ?? []) as string[]);
    const field = ([k, v]: [string, unknown]) =>
      `${required.has(k) ? k : `${k}?`}${depth > 0 ? `: ${typeText(v as Json, depth - 1)}` : ''}`;
    return `{${Object.entries(schema.properties as Json)
      .map(field)
      .join(', ')}}`;
  }
  if (schema.type === 'object' && typeof schema.additionalProperties === 'object')
    return `map of ${typeText(schema.additionalProperties as Json)}`;
  if (schema.type === 'string' && typeof schema.pattern === 'string') return `string matching \`${schema.pattern}\``;
  return String(schema.type ?? 'any');
}

function propertyLines(schema: Json): string[] {
  if (!schema.properties) return [typeText(schema)];
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(schema.properties as Json).map(([name, prop]) => {
    const p = prop as Json;
    return `- \`${name}\`${required.has(name) ? '' : ' (optional)'}: ${typeText(p)}${p.description ? ` — ${p.description as string}` : ''}`;
  });
}
