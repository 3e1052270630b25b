import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../../../shared/ports';
import { launchScoringServer, ScoringServerError, type ScoringServerConfig } from './launchScoringServer';
import { ensureError } from '../../../shared/errors';

export type ScoringProcessState = 'starting' | 'live' | 'restarting' | 'stopped';

export interface ScoringProcessOptions {
  /** Restart the server when it dies after it was live, as AML restarts a crashed container. @default true */
  restart?: boolean;
  /** First restart delay; doubles per failed attempt up to 30 s. @default 500 */
  restartDelayMs?: number;
  logger?: Logger;
  /** Told whenever `url` changes: the server went live, died or stopped (the router must know at once). */
  onUrlChange?: () => void;
}

const MAX_RESTART_DELAY_MS = 30_000;
/** Launches tried by start() when the server is killed by a signal during start-up. */
const MAX_START_ATTEMPTS = 3;

/** One deployment's scoring server, kept alive: it is restarted with backoff whenever it dies. */
export class ScoringProcess {
  private child: ChildProcess | undefined;
  private currentUrl: string | undefined;
  private restartCount = 0;
  private failedAttempts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private status: ScoringProcessState = 'starting';

  constructor(
    readonly config: ScoringServerConfig,
    private readonly options: ScoringProcessOptions = {},
  ) {}

  /** Where the server listens while it is live. */
  get url(): string | undefined {
    return this.status === 'live' ? this.currentUrl : undefined;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  get restarts(): number {
    return this.restartCount;
  }
  get state(): ScoringProcessState {
    return this.status;
  }

  /**
   * Resolves once live; rejects with a ScoringServerError (with the log tail) if it never
   * gets there. A server killed by a signal during start-up (a crashed container) is
   * launched again with the restart backoff, up to 3 attempts; a script that fails on its
   * own (init() throws, exit code) is not retried: it would fail the same way.
   */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.launch();
      } catch (error) {
        const crashed = error instanceof ScoringServerError && error.killedBy !== undefined;
        if (!crashed || attempt >= MAX_START_ATTEMPTS || this.status === 'stopped') throw error;
        this.options.logger?.warn(
          `${this.config.label}: scoring server killed (${error.killedBy}) while starting; attempt ${attempt + 1} of ${MAX_START_ATTEMPTS}`,
          {
            tail: error.message,
          },
        );
        await new Promise((resolve) => setTimeout(resolve, this.backoffMs(attempt - 1)));
        // stop() may have been called during the wait (TypeScript cannot see that).
        if ((this.status as ScoringProcessState) === 'stopped') throw error;
        this.restartCount++;
      }
    }
  }

  async stop(): Promise<void> {
    const wasLive = this.status === 'live';
    this.status = 'stopped';
    if (wasLive) this.options.onUrlChange?.();
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  private async launch(): Promise<void> {
    const launched = await launchScoringServer(this.config, (child) => {
      // Tracked from the spawn on, so stop() during start-up kills it too.
      this.child = child;
      if (this.status === 'stopped') child.kill('SIGKILL');
    });
    if (this.status === 'stopped') {
      launched.child.kill('SIGKILL');
      return;
    }
    this.child = launched.child;
    this.currentUrl = launched.url;
    this.status = 'live';
    this.failedAttempts = 0;
    this.options.onUrlChange?.();
    launched.child.once('exit', (code, signal) => {
      if (this.status === 'stopped' || this.options.restart === false) {
        if (this.status !== 'stopped') {
          this.status = 'stopped';
          this.options.onUrlChange?.();
        }
        return;
      }
      this.options.logger?.warn(`${this.config.label}: scoring server died (${code ?? signal}); restarting`, {
        tail: launched.tail.toString(),
      });
      this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    this.status = 'restarting';
    this.options.onUrlChange?.();
    const delay = this.backoffMs(this.failedAttempts);
    this.restartTimer = setTimeout(() => {
      if (this.status === 'stopped') return;
      this.restartCount++;
      this.launch().catch((error: unknown) => {
        if (this.status === 'stopped') return;
        this.failedAttempts++;
        this.options.logger?.error(`${this.config.label}: restart failed`, { error: ensureError(error).message });
        this.scheduleRestart();
      });
    }, delay);
  }

  private backoffMs(failedAttempts: number): number {
    return Math.min(MAX_RESTART_DELAY_MS, (this.options.restartDelayMs ?? 500) * 2 ** failedAttempts);
  }
}
