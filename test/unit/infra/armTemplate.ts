/**
 * @module Reads an ARM template for the tests: which resources it defines (type + name
 * segments in canonical form) and every expression it contains, so references can be
 * resolved the way ARM resolves them — by resource type and name, not by position.
 */
import { readFileSync } from 'node:fs';
import { callsIn, isArmExpression, parseArmExpression, renderArm, type ArmNode } from './armExpression';

export interface ArmResource {
  type: string;
  name: string;
  scope?: string;
  condition?: string;
  dependsOn?: string[];
  properties?: unknown;
  [key: string]: unknown;
}

export interface ArmTemplate {
  $schema: string;
  parameters: Record<string, { type: string; defaultValue?: unknown }>;
  variables: Record<string, unknown>;
  resources: ArmResource[];
  outputs: Record<string, unknown>;
}

/** A resource as ARM identifies it: lower-cased type and its name split into segments. */
export interface ResourceKey {
  type: string;
  segments: string[];
}

export const keyText = (key: ResourceKey) => `${key.type} ${key.segments.join(' / ')}`;

export function loadTemplate(file: string): ArmTemplate {
  return JSON.parse(readFileSync(file, 'utf8')) as ArmTemplate;
}

const literal = (value: string) => renderArm({ kind: 'string', value });

/** Splits a name (`'a/b'`, `[format('{0}/x', v)]` or `[concat(v, '/x')]`) into canonical segments. */
export function nameSegments(name: string): string[] {
  if (!isArmExpression(name)) return name.split('/').map(literal);
  const node = parseArmExpression(name);
  if (node.kind === 'call' && node.name.toLowerCase() === 'format' && node.args[0]?.kind === 'string') {
    const args = node.args.slice(1);
    return node.args[0].value.split('/').map((piece) => {
      const whole = /^\{(\d+)\}$/.exec(piece);
      if (whole) return renderArm(args[Number(whole[1])]!);
      return /\{\d+\}/.test(piece) ? `format(${literal(piece)})` : literal(piece);
    });
  }
  return [renderArm(node)];
}

export function resourceKey(resource: ArmResource): ResourceKey {
  return { type: resource.type.toLowerCase(), segments: nameSegments(resource.name) };
}

/** The resource a `resourceId(type, ...names)` call points at (names may hold '/' in literals). */
export function keyOfResourceIdCall(args: ArmNode[]): ResourceKey {
  const [type, ...names] = args;
  if (type?.kind !== 'string') throw new Error(`resourceId with a non-literal type: ${args.map(renderArm).join(', ')}`);
  const segments = names.flatMap((n) => (n.kind === 'string' ? n.value.split('/').map(literal) : [renderArm(n)]));
  return { type: type.value.toLowerCase(), segments };
}

/**
 * The `scope` of an extension resource, written as Bicep compiles it: `format('Ns/type/{0}', name)`,
 * or for a child resource `format('Ns/type/{0}/childType/{1}', name, childName)` (types and names alternate).
 */
export function keyOfScope(scope: string): ResourceKey {
  const node = parseArmExpression(scope);
  if (node.kind !== 'call' || node.name.toLowerCase() !== 'format' || node.args[0]?.kind !== 'string') {
    throw new Error(`scope ${scope} is not format('<type>/{0}', name)`);
  }
  const [namespace, ...rest] = node.args[0].value.split('/');
  if (rest.length < 2 || rest.length % 2 !== 0) throw new Error(`scope ${scope} does not alternate types and names`);
  const nameArgs = node.args.slice(1);
  const types = rest.filter((_, i) => i % 2 === 0);
  const segments = rest
    .filter((_, i) => i % 2 === 1)
    .map((piece) => {
      const whole = /^\{(\d+)\}$/.exec(piece);
      return whole ? renderArm(nameArgs[Number(whole[1])]!) : literal(piece);
    });
  return { type: [namespace, ...types].join('/').toLowerCase(), segments };
}

/** The resource a child resource lives in (`workspaces/onlineEndpoints` -> `workspaces`), if it is a child. */
export function parentKey(key: ResourceKey): ResourceKey | undefined {
  const types = key.type.split('/');
  if (types.length < 3 || key.segments.length < 2) return undefined;
  return { type: types.slice(0, -1).join('/'), segments: key.segments.slice(0, -1) };
}

export const sameKey = (a: ResourceKey, b: ResourceKey) =>
  a.type === b.type && a.segments.length === b.segments.length && a.segments.every((s, i) => s === b.segments[i]);

/** Every expression string anywhere under `value`, with the JSON path where it sits. */
export function expressionsIn(value: unknown, path = '$'): { path: string; node: ArmNode }[] {
  if (typeof value === 'string') return isArmExpression(value) ? [{ path, node: parseArmExpression(value) }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => expressionsIn(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => expressionsIn(v, `${path}.${k}`));
  return [];
}

/** Names passed to `parameters('x')` or `variables('x')` in the given expressions. */
export function referencedNames(expressions: { node: ArmNode }[], fn: 'parameters' | 'variables'): Set<string> {
  const names = new Set<string>();
  for (const { node } of expressions) {
    for (const call of callsIn(node)) {
      const first = call.args[0];
      if (call.name.toLowerCase() === fn && first?.kind === 'string') names.add(first.value);
    }
  }
  return names;
}

/** Calls found under `node`, each with the conditions of the `if(...)` branches that enclose it. */
export function callsWithGuards(node: ArmNode, guards: string[] = []): { call: Extract<ArmNode, { kind: 'call' }>; guards: string[] }[] {
  if (node.kind === 'property') return callsWithGuards(node.target, guards);
  if (node.kind === 'index') return [...callsWithGuards(node.target, guards), ...callsWithGuards(node.index, guards)];
  if (node.kind !== 'call') return [];
  const here = [{ call: node, guards }];
  if (node.name.toLowerCase() === 'if' && node.args.length === 3) {
    const condition = renderArm(node.args[0]!);
    return [
      ...here,
      ...callsWithGuards(node.args[0]!, guards),
      ...callsWithGuards(node.args[1]!, [...guards, condition]),
      ...callsWithGuards(node.args[2]!, [...guards, `not(${condition})`]),
    ];
  }
  return [...here, ...node.args.flatMap((arg) => callsWithGuards(arg, guards))];
}
