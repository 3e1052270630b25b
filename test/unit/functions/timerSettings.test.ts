import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNcrontab } from '../../../devhost/ncrontab';

const ROOT = join(__dirname, '../../..');

/** The timers as the app registers them, in a fresh process with `env` (as the Functions host loads it). */
function registeredTimers(env: Record<string, string>): Record<string, { schedule: string; runOnStartup?: boolean }> {
  const script = `
    const { FunctionsCore, installFunctionsCore } = require('./devhost/functionsCore');
    const core = new FunctionsCore();
    installFunctionsCore(core);
    require('./functions/sweeper');
    require('./functions/monitors');
    const out = {};
    for (const fn of core.functions.values()) if (fn.trigger.type === 'timerTrigger') out[fn.name] = { schedule: fn.trigger.schedule, runOnStartup: fn.trigger.runOnStartup };
    process.stdout.write(JSON.stringify(out));`;
  const { WEBSITE_INSTANCE_ID: _, ...base } = process.env;
  return JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, env: { ...base, ...env }, encoding: 'utf8' }),
  );
}

describe('timer schedules (billed per tick on Flex Consumption)', () => {
  it('come from app settings, with a valid NCRONTAB locally and in the template, every minute on Azure', () => {
    const local = JSON.parse(readFileSync(join(ROOT, 'local.settings.json'), 'utf8')).Values as Record<string, string>;
    const template = JSON.parse(readFileSync(join(ROOT, 'infra/main.json'), 'utf8'));
    for (const setting of ['AUTOPILOT_SWEEP_SCHEDULE', 'AUTOPILOT_MONITOR_SCHEDULE']) {
      expect(() => parseNcrontab(local[setting]!)).not.toThrow();
      const parameter = /^\[parameters\('(\w+)'\)\]$/.exec(template.variables.baseAppSettings[setting])![1]!;
      const schedule = parseNcrontab(template.parameters[parameter].defaultValue);
      const first = schedule.next(new Date('2026-12-04T00:00:00Z'));
      expect(schedule.next(first).getTime() - first.getTime()).toBe(60_000);
    }
    const timers = registeredTimers({});
    expect(timers).toMatchObject({
      sweeper: { schedule: '%AUTOPILOT_SWEEP_SCHEDULE%' },
      monitors: { schedule: '%AUTOPILOT_MONITOR_SCHEDULE%' },
    });
  });

  it('run the sweeper on start-up locally only, never in Azure Functions', () => {
    expect(registeredTimers({}).sweeper!.runOnStartup).toBe(true);
    expect(registeredTimers({ WEBSITE_INSTANCE_ID: 'abc' }).sweeper!.runOnStartup).toBe(false);
  });
});
