import type { Command } from 'commander';
import { summarizeChecks, type CheckResult, type CheckStatus } from '../../shared/doctor';
import type { CommandContext } from '../context';
import { printJson, printLines } from '../io';
import { parseSeconds } from '../parsers';

interface DoctorOptions {
  config?: string;
  json?: boolean;
  timeout: number;
}

const MARK: Record<CheckStatus, string> = { ok: '✓ ok  ', warn: '! warn', fail: '✗ FAIL', skip: '- skip' };

export function registerDoctorCommand(program: Command, context: CommandContext): void {
  program
    .command('doctor')
    .description(
      'Check the setup: autopilot.yaml, the storage account, the Azure credential and, per azure environment, the workspace, role assignments, computes, environments and data datastore; the sign-in settings; says what is missing and how to fix it',
    )
    .option('--config <file>', 'autopilot.yaml to check (default: env AUTOPILOT_CONFIG, else autopilot.yaml)')
    .option('--json', 'print only JSON: { ok, summary, checks: [{ name, status, detail, fix? }] }')
    .option('--timeout <seconds>', 'deadline of each check', parseSeconds, 15)
    .addHelpText(
      'after',
      '\nSettings read: AzureWebJobsStorage (or AzureWebJobsStorage__accountName) from the environment or local.settings.json,\n' +
        'AUTOPILOT_ARM_ENDPOINT (ARM base URL, default https://management.azure.com), AUTOPILOT_DATA_DATASTORE, the sign-in settings\n' +
        '(AUTOPILOT_ENTRA_TENANT_ID, AUTOPILOT_ENTRA_AUDIENCE, AUTOPILOT_ENTRA_AUTHORITY), WEBSITE_INSTANCE_ID, and what DefaultAzureCredential reads\n' +
        '(az login, managed identity, AZURE_CLIENT_ID…). Exit code 1 when any check fails, 0 otherwise (warnings included).',
    )
    .action(async (options: DoctorOptions) => {
      const { io } = context;
      // Loaded on use: the Azure SDKs would add half a second to every other command's start.
      const { runDoctor } = require('../../adapters/azure/doctor') as typeof import('../../adapters/azure/doctor');
      const checks = await runDoctor({
        env: io.env,
        cwd: io.cwd,
        timeoutMs: options.timeout * 1000,
        ...(options.config ? { configPath: options.config } : {}),
      });
      const summary = summarizeChecks(checks);
      context.exitCode = summary.exitCode;
      const { exitCode, ...counts } = summary;
      if (options.json) return printJson(io, { ok: exitCode === 0, summary: counts, checks });
      printLines(io, formatDoctorReport(checks));
    });
}

/** One line per check, details and fixes indented below it, and the summary last. */
export function formatDoctorReport(checks: readonly CheckResult[]): string[] {
  const lines: string[] = [];
  for (const check of checks) {
    const [first, ...more] = check.detail.split('\n');
    lines.push(`${MARK[check.status]}  ${check.name}: ${first}`);
    for (const line of more) lines.push(`          ${line}`);
    if (check.fix && check.status !== 'ok') {
      const [fixFirst, ...fixMore] = check.fix.split('\n');
      lines.push(`          fix: ${fixFirst}`);
      for (const line of fixMore) lines.push(`               ${line}`);
    }
  }
  const s = summarizeChecks(checks);
  const verdict = s.fail > 0 ? 'fix the failures above and run `autopilot doctor` again' : s.warn > 0 ? 'ready, with warnings' : 'all good';
  lines.push('', `${s.ok} ok, ${s.warn} warning${s.warn === 1 ? '' : 's'}, ${s.fail} failed, ${s.skip} skipped: ${verdict}`);
  return lines;
}
