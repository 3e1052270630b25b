import { z } from 'zod';
import { AutopilotConfig, ENVIRONMENTS } from '../../../shared/config/schema';

/** One field of `autopilot.yaml` as docs/configuration.md names it. */
export interface ConfigField {
  /** Dotted path: `<name>` for a key you choose, `<env>` for dev/staging/prod, `[]` for a list item. */
  path: string;
  /** The schema's default, when it has one (`prefault` sections have `{}`). */
  default?: unknown;
  /** The field is a section with fields of its own (its default, if any, is built from theirs). */
  section: boolean;
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
};

/**
 * Every field path of the `autopilot.yaml` schema, walked on zod's own JSON Schema of its
 * input (`z.toJSONSchema`, io: 'input'), which shows defaults and every object, record,
 * list and union the file may contain, without reaching into zod's internals.
 */
export function configFields(): ConfigField[] {
  const root = z.toJSONSchema(AutopilotConfig, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const fields = new Map<string, ConfigField>();
  walk(root, '', fields);
  return [...fields.values()];
}

function walk(schema: JsonSchema, path: string, out: Map<string, ConfigField>): void {
  for (const member of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) walk(member, path, out);
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    // The three environments share one schema: the doc names it once, as `environments.<env>`.
    const segment = path === 'environments' && (ENVIRONMENTS as readonly string[]).includes(key) ? '<env>' : key;
    visit(child, join(path, segment), out);
  }
  // A record's values and a list's items are not fields themselves; their own fields are.
  if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, join(path, '<name>'), out);
  if (schema.items) walk(schema.items, `${path}[]`, out);
}

function visit(schema: JsonSchema, path: string, out: Map<string, ConfigField>): void {
  if (!out.has(path)) {
    out.set(path, { path, section: hasFields(schema), ...('default' in schema ? { default: schema.default } : {}) });
  }
  walk(schema, path, out);
}

function hasFields(schema: JsonSchema): boolean {
  if (schema.properties && Object.keys(schema.properties).length > 0) return true;
  return [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])].some(hasFields);
}

function join(path: string, segment: string): string {
  return path ? `${path}.${segment}` : segment;
}
