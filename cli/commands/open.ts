import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { ApiClient } from '../apiClient';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { printJson } from '../io';
import { openInBrowser } from '../openBrowser';
import { resolveApiSettings, readLocalToken } from '../settings';

const ROLES = ['reader', 'data_scientist', 'ml_engineer'] as const;
type LocalRole = (typeof ROLES)[number];

/** Opens a one-time sign-in link made for the CLI's caller; its page's Sign in button signs the browser in. */
export function registerOpenCommand(program: Command, context: CommandContext): void {
  program
    .command('open')
    .description('Sign in to the dashboard: opens a one-time sign-in link (valid 2 minutes, once) in a browser, where you press Sign in')
    .option('--url-only', 'print the link instead of opening a browser')
    .option('--as <role>', 'local stack: sign in as reader, data_scientist or ml_engineer (default ml_engineer)', parseRole)
    .option('--json', 'print {"url": …} only')
    .action(async (options: { urlOnly?: boolean; as?: LocalRole; json?: boolean }, command: Command) => {
      const globals = context.globals(command);
      const settings = resolveApiSettings(globals, context.io.env, context.io.cwd);
      const fromTokensFile = !settings.scope && settings.tokenSource !== '--token' && settings.tokenSource !== 'AUTOPILOT_TOKEN';
      if (options.as && !fromTokensFile) {
        throw new UsageError(
          `--as picks a role among the local stack's tokens; with ${settings.scope ? '--scope' : settings.tokenSource} the token's own roles apply`,
        );
      }
      const token = options.as
        ? readLocalToken(join(context.stateDir(command), 'tokens.json'), `local-${options.as.replace('_', '-')}`)
        : settings.token;
      const { url } = await new ApiClient({ ...settings, token }).createDashboardSession();
      if (options.json) return printJson(context.io, { url });
      if (options.urlOnly) {
        context.io.stdout.write(`${url}\n`);
        return;
      }
      const opened = await openInBrowser(url);
      context.io.stdout.write(
        opened
          ? `Opening the sign-in page in your browser: press Sign in there. If nothing opens, open this link and press Sign in (it works once, for 2 minutes):\n${url}\n`
          : `No browser opener here; open this link and press Sign in (it works once, for 2 minutes):\n${url}\n`,
      );
    });
}

function parseRole(value: string): LocalRole {
  if (!(ROLES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${ROLES.join(', ')}.`);
  return value as LocalRole;
}
