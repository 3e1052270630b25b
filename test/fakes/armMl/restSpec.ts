import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { loadSpecFile, mfePath, resolveSpecPath } from './restSpecFiles';

/**
 * Request bodies judged against the published REST spec (the swagger 2.0 of
 * Microsoft.MachineLearningServices in Azure/azure-rest-api-specs, vendored reduced under
 * test/fixtures/rest-spec/, see its README for the commit), on top of the fake's own zod checks.
 *
 * Swagger 2.0 is not JSON Schema, so each definition is translated:
 * - `discriminator` + `x-ms-discriminator-value`: a polymorphic definition validates its base and,
 *   for each known subtype, `if <discriminator> = value then <subtype>`. An unknown value is judged
 *   by the base alone, as autorest's clients and the service's deserialiser treat it.
 * - `enum` with `x-ms-enum.modelAsString: true` is an open string ("extensible enum"): not enforced.
 * - `x-nullable: true` admits null; any other null is refused, as Azure's own traffic validator
 *   (github.com/Azure/oav) refuses it.
 * - `readOnly: true`: refused when present in a request. ARM's RPC lets a service ignore such
 *   properties, but oav reports them (READONLY_PROPERTY_NOT_ALLOWED_IN_REQUEST): a client that sends
 *   one is sending something the service computes, which the fake wants to hear about.
 */

export interface SpecProblem {
  /** JSON pointer into the request body. */
  pointer: string;
  reason: string;
}
export interface SpecVerdict {
  /** The swagger operation that judged the body. */
  operationId: string;
  problems: SpecProblem[];
}

type Json = Record<string, any>;
const READ_ONLY = 'armReadOnly';

/**
 * Judges `body` against the spec operation matching method and path at this api-version; undefined
 * when none matches (an api-version or route that is not vendored: not judged).
 */
export function checkAgainstRestSpec(apiVersion: string | null, method: string, path: string, body: unknown): SpecVerdict | undefined {
  if (!apiVersion) return undefined;
  const operation = findOperation(apiVersion, method, path);
  if (!operation) return undefined;
  if (!operation.validate) return { operationId: operation.operationId, problems: [] };
  if (body === undefined)
    return {
      operationId: operation.operationId,
      problems: operation.bodyRequired ? [{ pointer: '', reason: 'a request body is required' }] : [],
    };
  return { operationId: operation.operationId, problems: operation.validate(body) ? [] : problemsOf(operation.validate.errors ?? []) };
}

/** One line for an ARM error message: `/properties/jobType: must be ...; ...`. */
export function describeProblems(problems: SpecProblem[]): string {
  return problems.map((p) => `${p.pointer || '(body)'}: ${p.reason}`).join('; ');
}

interface Operation {
  operationId: string;
  validate?: ValidateFunction;
  bodyRequired: boolean;
}
const operations = new Map<string, Operation | null>();

function findOperation(apiVersion: string, method: string, path: string): Operation | undefined {
  const specFile = mfePath(apiVersion);
  const spec = loadSpecFile(specFile);
  if (!spec) return undefined;
  const verb = method.toLowerCase();
  for (const [template, item] of Object.entries<Json>(spec.paths ?? {})) {
    // ARM paths are case-insensitive; each {parameter} is one segment.
    const pattern = new RegExp(
      `^${template
        .split(/\{[^}]+\}/)
        .map(escapeRegExp)
        .join('[^/]+')}$`,
      'i',
    );
    if (!item[verb] || !pattern.test(path)) continue;
    const key = `${apiVersion} ${verb} ${template}`;
    if (!operations.has(key)) operations.set(key, compileOperation(apiVersion, specFile, item, item[verb]));
    return operations.get(key) ?? undefined;
  }
  return undefined;
}

function compileOperation(apiVersion: string, specFile: string, item: Json, operation: Json): Operation {
  const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map((p: Json) =>
    p.$ref ? resolveRef(specFile, p.$ref).node : p,
  );
  const body = parameters.find((p: Json) => p.in === 'body');
  if (!body) return { operationId: operation.operationId, bodyRequired: false };
  const translator = new Translator();
  const schema = translator.schema(specFile, body.schema);
  return { operationId: operation.operationId, bodyRequired: body.required === true, validate: ajv.compile(schema) };
}

function resolveRef(from: string, ref: string): { file: string; section: string; name: string; node: Json } {
  const [relative = '', pointer = ''] = ref.split('#');
  const file = resolveSpecPath(from, relative);
  const [section, name] = pointer
    .split('/')
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')) as [string, string];
  const node = loadSpecFile(file)?.[section]?.[name];
  if (node === undefined) throw new Error(`rest spec: cannot resolve ${ref} from ${file}`);
  return { file, section, name, node };
}

const ajv = newAjv();

/** Swagger definitions -> JSON Schema, for one operation's body: the definitions it reaches go along. */
class Translator {
  private readonly definitions: Json = {};

  /** The JSON Schema of a swagger schema found in `file`, with the definitions it reaches. */
  schema(file: string, node: Json): Json {
    const schema = this.convert(file, node);
    return { definitions: this.definitions, allOf: [schema] };
  }

  private key(file: string, name: string, asParent: boolean): string {
    return `${file.replace(/[^A-Za-z0-9]+/g, '_')}__${name}${asParent ? '__parent' : ''}`;
  }

  /**
   * `asParent`: named in a subtype's allOf. Then it is the definition's own schema, without the
   * dispatch to subtypes and without `additionalProperties: false`, which swagger means of the
   * merged type (the concrete subtype checks that, over its whole allOf chain).
   */
  private ref(from: string, ref: string, asParent: boolean): Json {
    const target = resolveRef(from, ref);
    if (target.section !== 'definitions') throw new Error(`rest spec: unsupported $ref ${ref}`);
    const key = this.key(target.file, target.name, asParent);
    if (!(key in this.definitions)) {
      this.definitions[key] = {}; // a placeholder first: definitions may refer to themselves
      const polymorphic = typeof target.node.discriminator === 'string';
      this.definitions[key] =
        polymorphic && !asParent
          ? this.dispatch(target.file, target.name, target.node)
          : this.convertDefinition(target.file, target.node, asParent);
    }
    return { $ref: `#/definitions/${key}` };
  }

  /** The base's own schema, and for each known subtype: if the discriminator names it, the subtype's. */
  private dispatch(file: string, name: string, node: Json): Json {
    const property: string = node.discriminator;
    const definitions: Json = loadSpecFile(file)!.definitions;
    const branches = Object.entries<Json>(definitions)
      .filter(([n, d]) => n !== name && extendsDefinition(definitions, d, name))
      .map(([n, d]) => ({
        if: { properties: { [property]: { const: d['x-ms-discriminator-value'] ?? n } }, required: [property] },
        then: this.ref(file, `#/definitions/${n}`, false),
      }));
    return { allOf: [this.ref(file, `#/definitions/${name}`, true), ...branches] };
  }

  private convertDefinition(file: string, node: Json, asParent: boolean): Json {
    const { additionalProperties, ...rest } = node;
    const schema = this.convert(file, additionalProperties === false ? rest : node);
    // The generated ML swagger marks enums `additionalProperties: false` too: it means something for objects only.
    const isObject = node.type === 'object' || node.properties || node.allOf;
    if (additionalProperties !== false || asParent || !isObject) return schema;
    // Swagger's additionalProperties: false covers the properties inherited through allOf too.
    const names = [...this.propertyNames(file, node)];
    return { allOf: [schema, names.length ? { propertyNames: { enum: names } } : { maxProperties: 0 }] };
  }

  /** A schema inside a definition (a property, items, a map's values). */
  private convert(file: string, node: Json): Json {
    if (node.$ref) return this.marks(node, this.ref(file, node.$ref, false));
    const out: Json = {};
    if (node.type) out.type = node.type;
    for (const k of [
      'minLength',
      'maxLength',
      'minimum',
      'maximum',
      'exclusiveMinimum',
      'exclusiveMaximum',
      'minItems',
      'maxItems',
      'uniqueItems',
      'multipleOf',
      'pattern',
      'format',
    ]) {
      if (node[k] !== undefined) out[k] = node[k];
    }
    if (node.enum && node['x-ms-enum']?.modelAsString !== true) out.enum = node.enum;
    if (node.items) out.items = this.convert(file, node.items);
    if (node.additionalProperties === false) out.additionalProperties = false;
    else if (typeof node.additionalProperties === 'object') out.additionalProperties = this.convert(file, node.additionalProperties);
    if (node.properties)
      out.properties = Object.fromEntries(Object.entries<Json>(node.properties).map(([k, v]) => [k, this.convert(file, v)]));
    const readOnly = new Set(
      Object.entries<Json>(node.properties ?? {})
        .filter(([, v]) => v.readOnly === true)
        .map(([k]) => k),
    );
    const required = (node.required ?? []).filter((k: string) => !readOnly.has(k));
    if (required.length) out.required = required;
    const allOf = (node.allOf ?? []).map((part: Json) => (part.$ref ? this.ref(file, part.$ref, true) : this.convert(file, part)));
    return this.marks(node, allOf.length ? { allOf: [...allOf, out] } : out);
  }

  /** A property's own marks: read-only (refused in requests) and x-nullable. */
  private marks(node: Json, schema: Json): Json {
    if (node.readOnly === true) return { [READ_ONLY]: true };
    if (node['x-nullable'] === true) return { if: { type: 'null' }, then: true, else: schema };
    return schema;
  }

  /** Every property a definition has, its allOf parents' included (swagger's additionalProperties: false means these). */
  private propertyNames(file: string, node: Json): Set<string> {
    const names = new Set(Object.keys(node.properties ?? {}));
    for (const part of node.allOf ?? []) {
      const parent = part.$ref ? resolveRef(file, part.$ref) : { file, node: part };
      for (const n of this.propertyNames(parent.file, parent.node)) names.add(n);
    }
    return names;
  }
}

/** Does `definition` reach `base` through its allOf chain (same file)? */
function extendsDefinition(definitions: Json, definition: Json, base: string, seen = new Set<Json>()): boolean {
  if (seen.has(definition)) return false;
  seen.add(definition);
  return (definition.allOf ?? []).some((part: Json) => {
    const m = /^#\/definitions\/(.+)$/.exec(part.$ref ?? '');
    return !!m && (m[1] === base || (!!definitions[m[1]!] && extendsDefinition(definitions, definitions[m[1]!], base, seen)));
  });
}

function newAjv(): Ajv {
  // strict: false because swagger patterns are not always valid in unicode mode and the translated schemas use if/then freely.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv, ['date-time', 'date', 'uri', 'uuid', 'byte']);
  // ISO 8601 lets the smallest unit carry a fraction: the spec's own default maxQueueWait is "PT0.5S",
  // which ajv-formats' `duration` refuses.
  ajv.addFormat('duration', /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  for (const loose of ['float', 'double', 'password', 'arm-id', 'unixtime', 'url']) ajv.addFormat(loose, true);
  ajv.addKeyword({ keyword: READ_ONLY, schemaType: 'boolean', validate: () => false, errors: false });
  return ajv;
}

function problemsOf(errors: ErrorObject[]): SpecProblem[] {
  const seen = new Set<string>();
  const problems: SpecProblem[] = [];
  for (const e of errors) {
    // The failing branch of an if/then already says what is wrong, as the inner error of propertyNames does.
    if (e.keyword === 'if' || e.keyword === 'propertyNames') continue;
    const problem = describe(e);
    const line = `${problem.pointer}\n${problem.reason}`;
    if (!seen.has(line)) problems.push(problem);
    seen.add(line);
  }
  return problems;
}

function describe(e: ErrorObject): SpecProblem {
  const params = e.params as Json;
  // propertyNames reports the name it refused on its inner error.
  if (e.propertyName !== undefined)
    return { pointer: `${e.instancePath}/${e.propertyName}`, reason: 'is not a property of this type (additionalProperties: false)' };
  switch (e.keyword) {
    case 'required':
      return { pointer: `${e.instancePath}/${params.missingProperty}`, reason: 'is required' };
    case 'additionalProperties':
      return {
        pointer: `${e.instancePath}/${params.additionalProperty}`,
        reason: 'is not a property of this type (additionalProperties: false)',
      };
    case 'enum':
      return {
        pointer: e.instancePath,
        reason: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case READ_ONLY:
      return { pointer: e.instancePath, reason: 'is read-only (the service computes it); leave it out of requests' };
    default:
      return { pointer: e.instancePath, reason: e.message ?? e.keyword };
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
