import { LoadGenerator } from '../../load/loadGenerator';
import { toLoadSettings } from '../../load/loadSettings';
import type { LoadStatus } from '../../load/syntheticLoad';
import type { InvokeResult, LoadRequest, ScoreRequest } from '../../../shared/ports';

/** Sends one scoring request the way the adapter does (key, TLS agent, deployment header). */
export type InvokeForLoad = (
  endpoint: string,
  request: ScoreRequest,
  options: { deployment?: string; synthetic: true },
) => Promise<InvokeResult>;

/**
 * Synthetic load against Azure online endpoints. Reuses the local generator's rate loop
 * (clock-driven schedule, at most 16 in flight, rate bounded by MAX_LOAD_RPS in
 * toLoadSettings) so both backends load endpoints the same way; only the sender differs.
 */
export class AzureLoads {
  private readonly generator: LoadGenerator;

  constructor(invoke: InvokeForLoad, now: () => number = Date.now) {
    this.generator = new LoadGenerator(async (endpoint, deployment, body) => {
      try {
        const result = await invoke(endpoint, JSON.parse(body) as ScoreRequest, { deployment, synthetic: true });
        return { status: result.status, deployment: result.deployment };
      } catch {
        // No key or no scoring URI (e.g. ARM unreachable): counted as an unanswered request.
        return { status: 0 };
      }
    }, now);
  }

  /** Starts the load, or updates the one with this id in place. */
  ensure(request: LoadRequest): LoadStatus {
    return this.generator.ensure(request.id, toLoadSettings(request));
  }

  stop(id: string): void {
    this.generator.stop(id);
  }

  stopAll(): void {
    this.generator.stopAll();
  }

  status(id: string): LoadStatus | undefined {
    return this.generator.status(id);
  }
}
