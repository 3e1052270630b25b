import { ConfigError } from '../errors';

/** A value bound to `${{inputs.x}}`; `undefined` means the input has no value. */
export type CommandValue = string | number | boolean | undefined;

const REFERENCE = /\$\{\{\s*([^}]*?)\s*\}\}/g;
const KNOWN_REFERENCE = /^(inputs|outputs)\.([A-Za-z_][A-Za-z0-9_]*)$/;
/** AML's optional block `[--flag ${{inputs.x}}]` (no nested brackets), or a bare reference. */
const BLOCK_OR_REFERENCE = /\[([^[\]]*?\$\{\{\s*inputs\.[^[\]]*?)\]|\$\{\{\s*([^}]*?)\s*\}\}/g;

export interface SubstituteCommandOptions {
  /** Named in errors. @default 'job spec' */
  file?: string;
}

/**
 * Replaces `${{inputs.x}}` and `${{outputs.y}}` the way Azure ML does, quoting every value
 * for /bin/sh (values come from blob names and users: never let them inject shell syntax).
 * Optional blocks are dropped when one of their inputs has no value, else unwrapped.
 */
export function substituteCommand(
  command: string,
  inputs: Readonly<Record<string, CommandValue>>,
  outputs: Readonly<Record<string, string>>,
  options: SubstituteCommandOptions = {},
): string {
  const problems: string[] = [];
  const valueOf = (expression: string, inOptionalBlock: boolean): string | undefined => {
    const match = KNOWN_REFERENCE.exec(expression);
    if (!match) {
      problems.push(`unknown reference \${{${expression}}}; use \${{inputs.<name>}} or \${{outputs.<name>}}`);
      return '';
    }
    const [, kind, name] = match as unknown as [string, 'inputs' | 'outputs', string];
    const table: Readonly<Record<string, CommandValue>> = kind === 'inputs' ? inputs : outputs;
    if (!Object.hasOwn(table, name)) {
      const declared = Object.keys(table);
      problems.push(
        `unknown reference \${{${kind}.${name}}}: the spec declares no ${kind === 'inputs' ? 'input' : 'output'} '${name}'` +
          ` (declared: ${declared.length ? declared.join(', ') : 'none'})`,
      );
      return '';
    }
    const value = table[name];
    if (value === undefined) {
      if (!inOptionalBlock) {
        problems.push(
          `input '${name}' has no value; pass one, give it a default, or wrap it in an optional block [--${name} \${{inputs.${name}}}]`,
        );
      }
      return undefined;
    }
    return shellQuote(String(value));
  };

  const substitute = (text: string, inOptionalBlock: boolean): string | undefined => {
    let missing = false;
    const result = text.replace(REFERENCE, (_whole, expression: string) => {
      const value = valueOf(expression, inOptionalBlock);
      if (value === undefined) missing = true;
      return value ?? '';
    });
    return missing ? undefined : result;
  };

  // One pass over blocks and bare references, so substituted values are never rescanned.
  const result = command.replace(BLOCK_OR_REFERENCE, (_whole, blockInner: string | undefined, expression: string | undefined) => {
    if (blockInner !== undefined) return substitute(blockInner, true) ?? '';
    return valueOf(expression ?? '', false) ?? '';
  });
  if (problems.length > 0) {
    throw new ConfigError(
      options.file ?? 'job spec',
      problems.map((message) => ({ path: 'command', message })),
    );
  }
  return result.trim();
}

/** Quotes a value for POSIX sh; plain words stay readable in logs. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_\-.,:/=@+%]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
