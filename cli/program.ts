import { Command } from 'commander';
import packageJson from '../package.json';
import { registerAlertsCommand } from './commands/alerts';
import { registerAuditCommand } from './commands/audit';
import { registerControlCommands } from './commands/control';
import { registerDoctorCommand } from './commands/doctor';
import { registerEndpointsCommand } from './commands/endpoints';
import { registerEventsCommand } from './commands/events';
import { registerLogsCommand } from './commands/logs';
import { registerModelsCommand } from './commands/models';
import { registerMonitorsCommand } from './commands/monitors';
import { registerOpenCommand } from './commands/open';
import { registerReleaseCommand } from './commands/release';
import { registerReportCommand } from './commands/report';
import { registerReleasesCommand } from './commands/releases';
import { registerRunCommand } from './commands/run';
import { registerStartCommand } from './commands/start';
import { registerStatusCommand } from './commands/status';
import { registerUploadCommand } from './commands/upload';
import type { CommandContext } from './context';
import { DEFAULT_API_URL } from './settings';

/**
 * The `autopilot` command tree. Commander is told to throw instead of exiting so `main`
 * owns exit codes (2 for usage errors) and tests can parse in-process.
 */
export function createProgram(context: CommandContext): Command {
  const { io } = context;
  const program = new Command('autopilot')
    .description('Operate mlops-autopilot: run the local stack, upload data, follow releases, inspect models and endpoints.')
    .version(packageJson.version, '-V, --version')
    .option('--url <url>', `autopilot API base URL (env AUTOPILOT_URL; default ${DEFAULT_API_URL})`)
    .option('--token <token>', "bearer token (env AUTOPILOT_TOKEN; default: the local stack's <state-dir>/tokens.json)")
    .option(
      '--scope <scope>',
      'Entra ID scope of the API on Azure, e.g. api://<appId>/.default: tokens of the az login identity (env AUTOPILOT_API_SCOPE)',
    )
    .option('--state-dir <dir>', 'local stack state folder (env AUTOPILOT_STATE_DIR; default .autopilot)')
    // Settings below are copied to every subcommand added after them.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .exitOverride()
    .showSuggestionAfterError();

  registerStartCommand(program, context);
  registerUploadCommand(program, context);
  registerStatusCommand(program, context);
  registerReleasesCommand(program, context);
  registerReleaseCommand(program, context);
  registerReportCommand(program, context);
  registerRunCommand(program, context);
  registerControlCommands(program, context);
  registerEndpointsCommand(program, context);
  registerLogsCommand(program, context);
  registerModelsCommand(program, context);
  registerEventsCommand(program, context);
  registerMonitorsCommand(program, context);
  registerAlertsCommand(program, context);
  registerAuditCommand(program, context);
  registerDoctorCommand(program, context);
  registerOpenCommand(program, context);
  return program;
}
