import type { CanaryRollback } from '../../../shared/alerts/reactToAlert';
import type { ReleaseNudge } from '../../../shared/alerts/reactToAmlEvent';
import { NotFoundError } from '../../../shared/errors';
import type { Logger } from '../../../shared/ports';

/** The release control as the alert and AML reactions see it: records calls, holds canaries, fails on demand. */
export class FakeReleaseControl implements CanaryRollback, ReleaseNudge {
  readonly rollbacks: { endpoint: string; actor: string; why: string }[] = [];
  readonly nudges: string[] = [];
  /** Endpoint name -> release whose canary runs there. */
  readonly canaries = new Map<string, string>();
  readonly releases = new Set<string>();
  failNextRollback: Error | undefined;
  /** Fails the next nudge, once. */
  failNext: Error | undefined;

  async rollbackCanary(endpoint: string, actor: string, why: string): Promise<{ releaseId: string } | undefined> {
    this.rollbacks.push({ endpoint, actor, why });
    const failure = this.failNextRollback;
    this.failNextRollback = undefined;
    if (failure) throw failure;
    const releaseId = this.canaries.get(endpoint);
    this.canaries.delete(endpoint);
    return releaseId ? { releaseId } : undefined;
  }

  async nudge(releaseId: string): Promise<void> {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
    if (!this.releases.has(releaseId)) throw new NotFoundError('release', releaseId);
    this.nudges.push(releaseId);
  }
}

export class MemoryLogger implements Logger {
  readonly lines: { level: string; message: string; properties?: Record<string, unknown> }[] = [];
  info(message: string, properties?: Record<string, unknown>) {
    this.lines.push({ level: 'info', message, properties });
  }
  warn(message: string, properties?: Record<string, unknown>) {
    this.lines.push({ level: 'warn', message, properties });
  }
  error(message: string, properties?: Record<string, unknown>) {
    this.lines.push({ level: 'error', message, properties });
  }
}
