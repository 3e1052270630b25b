import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CommandContext } from '../../../cli/context';
import { EXIT } from '../../../cli/errors';
import { createProgram } from '../../../cli/program';

const DOC = readFileSync(join(__dirname, '../../../docs/cli.md'), 'utf8');
/** `start` is the stack itself, in the foreground: it has no result to print as JSON (docs/cli.md says so). */
const WITHOUT_JSON = new Set(['start']);

/** Every command a user can run: leaves of the tree, named by their path ("monitors run"). */
function leafCommands(command: Command, prefix: string[] = []): { path: string; command: Command }[] {
  return command.commands.flatMap((sub) => {
    const path = [...prefix, sub.name()];
    return sub.commands.length > 0 ? leafCommands(sub, path) : [{ path: path.join(' '), command: sub }];
  });
}

const program = createProgram(new CommandContext({ stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: '/' }));
const commands = leafCommands(program);

describe('docs/cli.md', () => {
  test('the program has the commands of the operator contract', () => {
    expect(commands.map((c) => c.path)).toEqual(
      expect.arrayContaining(['status', 'releases', 'monitors list', 'monitors run', 'alerts', 'audit', 'report', 'logs', 'doctor']),
    );
  });

  test.each(commands.map((c) => [c.path, c.command] as const))(
    'documents `autopilot %s` with a section, and every one of its options',
    (path, command) => {
      const section = DOC.split(/^### /m).find((part) => part.startsWith(`autopilot ${path}\n`));
      expect(section).toBeDefined();
      for (const option of command.options) expect(section).toContain(option.long!);
    },
  );

  test.each(commands.filter((c) => !WITHOUT_JSON.has(c.path)).map((c) => [c.path, c.command] as const))(
    '`autopilot %s` has --json, and its section says what it prints',
    (path, command) => {
      expect(command.options.map((o) => o.long)).toContain('--json');
      const section = DOC.split(/^### /m).find((part) => part.startsWith(`autopilot ${path}\n`))!;
      expect(section).toMatch(/JSON: /);
    },
  );

  test('every exit code is in the table', () => {
    for (const code of Object.values(EXIT)) expect(DOC).toMatch(new RegExp(`^\\| ${code} \\| \\S`, 'm'));
  });
});
