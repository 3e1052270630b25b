/**
 * @module A small parser for ARM template expressions (`[concat(parameters('a'), '/x')]`), so
 * the template tests can follow references. No maintained npm package parses ARM expressions
 * (Bicep's parser ships inside its .NET binary), and the grammar we need is tiny:
 * string/number literals, function calls, `.property` and `[index]` accessors.
 */

export type ArmNode =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'call'; name: string; args: ArmNode[] }
  | { kind: 'property'; target: ArmNode; name: string }
  | { kind: 'index'; target: ArmNode; index: ArmNode };

export class ArmExpressionError extends Error {
  constructor(
    readonly expression: string,
    readonly position: number,
    reason: string,
  ) {
    super(`ARM expression "${expression}" at ${position}: ${reason}`);
    this.name = 'ArmExpressionError';
  }
}

/** True when a template string is an expression; `[[` escapes a literal bracket, as in ARM. */
export function isArmExpression(value: string): boolean {
  return value.startsWith('[') && !value.startsWith('[[') && value.endsWith(']');
}

/** Parses the text of an expression string, brackets included. */
export function parseArmExpression(expression: string): ArmNode {
  const text = expression.slice(1, -1);
  let at = 0;
  const fail = (reason: string): never => {
    throw new ArmExpressionError(expression, at, reason);
  };
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  const expect = (char: string) => {
    skipSpace();
    if (text[at] !== char) fail(`expected "${char}"`);
    at++;
  };
  const parseString = (): ArmNode => {
    at++; // opening quote
    let value = '';
    for (;;) {
      if (at >= text.length) fail('unterminated string');
      const char = text[at++]!;
      if (char !== "'") value += char;
      else if (text[at] === "'") {
        value += "'"; // '' is an escaped quote
        at++;
      } else return { kind: 'string', value };
    }
  };
  const parsePrimary = (): ArmNode => {
    skipSpace();
    const char = text[at];
    if (char === "'") return parseString();
    const number = /^-?\d+/.exec(text.slice(at));
    if (number) {
      at += number[0].length;
      return { kind: 'number', value: Number(number[0]) };
    }
    const name = /^[A-Za-z_][A-Za-z0-9_.]*?(?=\s*\()/.exec(text.slice(at));
    if (!name) return fail('expected a string, a number or a function call');
    at += name[0].length;
    expect('(');
    const args: ArmNode[] = [];
    skipSpace();
    if (text[at] === ')') at++;
    else {
      for (;;) {
        args.push(parseExpression());
        skipSpace();
        const separator = text[at++];
        if (separator === ')') break;
        if (separator !== ',') fail('expected "," or ")"');
      }
    }
    return { kind: 'call', name: name[0], args };
  };
  const parseExpression = (): ArmNode => {
    let node = parsePrimary();
    for (;;) {
      skipSpace();
      if (text[at] === '.') {
        at++;
        const property = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(at));
        if (!property) fail('expected a property name after "."');
        at += property![0].length;
        node = { kind: 'property', target: node, name: property![0] };
      } else if (text[at] === '[') {
        at++;
        const index = parseExpression();
        expect(']');
        node = { kind: 'index', target: node, index };
      } else return node;
    }
  };
  const root = parseExpression();
  skipSpace();
  if (at !== text.length) fail('unexpected text after the expression');
  return root;
}

/** Canonical text of a node: equal expressions render equally (function names lower-cased, as ARM ignores their case). */
export function renderArm(node: ArmNode): string {
  switch (node.kind) {
    case 'string':
      return `'${node.value.replace(/'/g, "''")}'`;
    case 'number':
      return String(node.value);
    case 'call':
      return `${node.name.toLowerCase()}(${node.args.map(renderArm).join(', ')})`;
    case 'property':
      return `${renderArm(node.target)}.${node.name}`;
    case 'index':
      return `${renderArm(node.target)}[${renderArm(node.index)}]`;
  }
}

/** Every call node in the tree, depth first. */
export function callsIn(node: ArmNode): Extract<ArmNode, { kind: 'call' }>[] {
  const found: Extract<ArmNode, { kind: 'call' }>[] = [];
  const visit = (n: ArmNode) => {
    if (n.kind === 'call') {
      found.push(n);
      n.args.forEach(visit);
    } else if (n.kind === 'property') visit(n.target);
    else if (n.kind === 'index') {
      visit(n.target);
      visit(n.index);
    }
  };
  visit(node);
  return found;
}
