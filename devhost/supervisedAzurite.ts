import { startAzurite, type RunningAzurite, type StartAzuriteOptions } from './azurite';
import type { HostLogger } from './logger';
import { ensureError } from '../shared/errors';

export interface SupervisedAzuriteOptions extends StartAzuriteOptions {
  logger: HostLogger;
  /** Restarts allowed within one minute before storage is left down (a crash loop helps nobody). @default 5 */
  maxRestartsPerMinute?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Azurite that comes back by itself: if its process dies (OOM kill, a crash, a stray
 * `kill`), it is started again on the same ports and data folder, as Azure Storage
 * stays available while a Functions host runs. Calls made in the gap fail and are retried
 * by their callers (queue polling backs off, release steps retry), so nothing is lost:
 * what Azurite acknowledged was saved first (see azuriteProcess.ts).
 */
export async function startSupervisedAzurite(options: SupervisedAzuriteOptions): Promise<RunningAzurite> {
  const { logger, maxRestartsPerMinute = 5, now = Date.now } = options;
  let current = await startAzurite(options);
  const ports = current.ports;
  let stopping = false;
  const restarts: number[] = [];
  let settle: (value: { code: number | null; signal: NodeJS.Signals | null }) => void = () => undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => (settle = resolve));

  const watch = (running: RunningAzurite): void => {
    void running.exited.then(async (how) => {
      if (stopping) return settle(how);
      const at = now();
      restarts.push(at);
      while (restarts.length > 0 && restarts[0]! < at - 60_000) restarts.shift();
      const cause = how.signal ? `killed by ${how.signal}` : `exited with code ${how.code}`;
      if (restarts.length > maxRestartsPerMinute) {
        logger.error(
          `Azurite ${cause}, ${restarts.length} times within a minute; not restarting it. Storage is down: see the log above, then restart the stack`,
        );
        return settle(how);
      }
      logger.warn(`Azurite ${cause}; starting it again on the same ports and data folder`);
      try {
        current = await startAzurite({ ...options, ports });
        watch(current);
        if (stopping)
          await current.stop(); // stop() came while it was starting
        else logger.info('Azurite is back');
      } catch (error) {
        logger.error(`Azurite could not be started again: ${ensureError(error).message}`);
        settle(how);
      }
    });
  };
  watch(current);
  return {
    ports,
    connectionString: current.connectionString,
    get pid() {
      return current.pid;
    },
    exited,
    stop: async () => {
      stopping = true;
      await current.stop();
    },
  };
}
