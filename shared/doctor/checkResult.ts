/** How one doctor check ended: `skip` when it could not run because an earlier check failed or it does not apply. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of `autopilot doctor`: what was checked, what was found and, when not ok, how to fix it. */
export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  /** A command or edit that fixes the problem; never contains a secret. */
  fix?: string;
}

export interface CheckSummary {
  ok: number;
  warn: number;
  fail: number;
  skip: number;
  /** 1 when any check failed, else 0 (warnings do not fail the command). */
  exitCode: 0 | 1;
}

export function summarizeChecks(results: readonly CheckResult[]): CheckSummary {
  const count = (status: CheckStatus) => results.filter((r) => r.status === status).length;
  const fail = count('fail');
  return { ok: count('ok'), warn: count('warn'), fail, skip: count('skip'), exitCode: fail > 0 ? 1 : 0 };
}

export function checkResult(name: string, status: CheckStatus, detail: string, fix?: string): CheckResult {
  return fix === undefined ? { name, status, detail } : { name, status, detail, fix };
}
