import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FunctionRegistrationError } from './errors';
import type { FunctionInvoker } from './functionInvoker';
import type { RegisteredFunction } from './functionsCore';
import type { HostLogger } from './logger';
import { parseNcrontab, type NcrontabSchedule } from './ncrontab';
import { resolveAppSettingExpression } from './bindingSettings';
import type { TimerLock } from './timerLock';
import { ensureError } from '../shared/errors';

/** The input a timer handler receives, shaped like Azure's. */
export interface TimerInput {
  isPastDue: boolean;
  schedule: { adjustForDST: boolean };
  scheduleStatus: { last: string; next: string; lastUpdated: string };
}

const StatusFile = z.record(z.string(), z.object({ last: z.string(), next: z.string(), lastUpdated: z.string() }));
type Status = z.infer<typeof StatusFile>;

/** setTimeout cannot wait longer than ~24.8 days; longer waits are re-armed. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** A run starting later than this after its slot counts as past due. */
const PAST_DUE_MS = 1_000;

interface TimerState {
  fn: RegisteredFunction;
  schedule: NcrontabSchedule;
  timer?: NodeJS.Timeout;
  running?: Promise<boolean>;
  next: Date;
  lock?: TimerLock;
}

/**
 * Runs timer-triggered functions on their NCRONTAB schedules. Like the host's schedule
 * monitor (`useMonitor`, on by default), it records the last and next run in
 * `<stateDir>/timers.json` and runs a past-due occurrence missed while the host was down.
 * A run is skipped if the previous one is still going (timers are singletons), and, with
 * `lock`, when another instance on the same storage account holds the timer's lock
 * (timerLock.ts: how Azure Functions runs a timer on one instance when it scales out).
 */
export class TimerScheduler {
  private readonly timers: TimerState[];
  private readonly statusPath: string;
  private status: Status;
  private stopped = false;

  constructor(
    functions: readonly RegisteredFunction[],
    stateDir: string,
    private readonly invoker: FunctionInvoker,
    private readonly logger: HostLogger,
    lock?: (functionName: string) => TimerLock,
  ) {
    this.statusPath = join(stateDir, 'timers.json');
    this.status = readStatus(this.statusPath);
    this.timers = functions.map((fn) => {
      const expression = resolveAppSettingExpression(String(fn.trigger['schedule'] ?? ''), `function '${fn.name}' schedule`);
      try {
        const schedule = parseNcrontab(expression);
        return { fn, schedule, next: schedule.next(new Date()), lock: lock?.(fn.name) };
      } catch (error) {
        throw new FunctionRegistrationError(fn.name, ensureError(error).message);
      }
    });
  }

  start(): void {
    const now = new Date();
    for (const state of this.timers) {
      const saved = this.status[state.fn.name];
      const useMonitor = state.fn.trigger['useMonitor'] !== false;
      if (state.fn.trigger['runOnStartup'] === true) this.fire(state, now, false);
      else if (useMonitor && saved && Date.parse(saved.next) < now.getTime()) this.fire(state, new Date(saved.next), true);
      this.arm(state);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const state of this.timers) clearTimeout(state.timer);
    await Promise.allSettled(this.timers.map((t) => t.running));
    await Promise.all(this.timers.map((t) => t.lock?.release()));
  }

  /** Runs a timer as if its slot came now; true if this instance ran it (tests drive ticks with this). */
  tick(functionName: string): Promise<boolean> {
    const state = this.timers.find((t) => t.fn.name === functionName);
    if (!state) throw new Error(`no timer function '${functionName}'`);
    return this.fire(state, new Date(), false);
  }

  private arm(state: TimerState): void {
    if (this.stopped) return;
    const wait = state.next.getTime() - Date.now();
    state.timer = setTimeout(
      () => {
        if (state.next.getTime() > Date.now()) return this.arm(state);
        const due = state.next;
        state.next = state.schedule.next(new Date(Math.max(Date.now(), due.getTime())));
        this.fire(state, due, Date.now() - due.getTime() > PAST_DUE_MS);
        this.arm(state);
      },
      Math.min(Math.max(wait, 0), MAX_TIMEOUT_MS),
    );
  }

  private fire(state: TimerState, due: Date, isPastDue: boolean): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (state.running) {
      this.logger.warn(`Skipping the ${due.toISOString()} run: the previous run is still going`, { functionName: state.fn.name });
      return Promise.resolve(false);
    }
    const run = async (): Promise<boolean> => {
      // Another instance holds the timer: it runs this occurrence (no log line: it happens every tick).
      if (state.lock && !(await state.lock.hold())) return false;
      if (this.stopped) return false;
      const last = this.status[state.fn.name]?.last ?? new Date(0).toISOString();
      const input: TimerInput = {
        isPastDue,
        schedule: { adjustForDST: true },
        scheduleStatus: { last, next: state.next.toISOString(), lastUpdated: new Date().toISOString() },
      };
      await this.invoker.invoke(state.fn, input, { reason: `Timer fired at ${new Date().toISOString()}` }).catch(() => undefined); // logged by the invoker; the next occurrence runs as scheduled
      this.record(state.fn.name, due, state.next);
      return true;
    };
    const running = run().finally(() => {
      state.running = undefined;
    });
    state.running = running;
    return running;
  }

  private record(name: string, last: Date, next: Date): void {
    this.status[name] = { last: last.toISOString(), next: next.toISOString(), lastUpdated: new Date().toISOString() };
    try {
      const tmp = `${this.statusPath}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.status, null, 2));
      renameSync(tmp, this.statusPath);
    } catch (error) {
      this.logger.warn(`Could not save timer status to ${this.statusPath}: ${ensureError(error).message}`);
    }
  }
}

function readStatus(path: string): Status {
  if (!existsSync(path)) return {};
  try {
    return StatusFile.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return {}; // a damaged monitor file only costs one past-due run
  }
}
