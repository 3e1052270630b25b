import type { LoadSettings } from './loadSettings';
import { SyntheticLoad, type LoadStatus, type SendLoadRequest } from './syntheticLoad';

/**
 * The synthetic loads of all environments, by key. Loads live beside the router (not in a
 * workspace) because it serves every environment's endpoints and measures what they send.
 */
export class LoadGenerator {
  private readonly loads = new Map<string, SyntheticLoad>();

  constructor(
    private readonly send: SendLoadRequest,
    private readonly now: () => number = Date.now,
    /** Uniform draws in [0, 1) shared by the loads (rows, deployments); tests pass a seeded one. */
    private readonly random: () => number = Math.random,
  ) {}

  /** Starts the load, or updates the one with this key in place (never a second loop). */
  ensure(key: string, settings: LoadSettings): LoadStatus {
    let load = this.loads.get(key);
    if (!load) this.loads.set(key, (load = new SyntheticLoad(settings, this.send, this.now, this.random)));
    load.start(settings);
    return load.status();
  }

  stop(key: string): void {
    this.loads.get(key)?.stop();
  }

  /** Stops every load whose key starts with `prefix` (all of them without one). */
  stopAll(prefix = ''): void {
    for (const [key, load] of this.loads) if (key.startsWith(prefix)) load.stop();
  }

  status(key: string): LoadStatus | undefined {
    return this.loads.get(key)?.status();
  }
}
