import { QueueServiceClient } from '@azure/storage-queue';
import type { AzuritePorts } from './azurite';
import { FunctionRegistrationError } from './errors';
import type { FunctionInvoker } from './functionInvoker';
import type { FunctionsCore } from './functionsCore';
import type { QueuesConfig } from './hostConfig';
import type { HostLogger } from './logger';
import { QueueListener } from './queueListener';
import { resolveAppSettingExpression, resolveStorageConnection } from './bindingSettings';
import { instanceIdIn, timerLocks } from './timerLock';
import { TimerScheduler } from './timerScheduler';

/** Trigger types this host runs; the HTTP server handles the first two. */
const SUPPORTED = new Set(['httptrigger', 'eventgridtrigger', 'queuetrigger', 'timertrigger']);

export interface RunningTriggers {
  readonly queueListeners: readonly QueueListener[];
  stop(): Promise<void>;
}

export interface StartTriggersOptions {
  core: FunctionsCore;
  invoker: FunctionInvoker;
  logger: HostLogger;
  stateDir: string;
  queues: QueuesConfig;
  azuritePorts?: AzuritePorts;
  leaseSeconds?: number;
}

/** Starts the polling/scheduled triggers: storage queues and timers. */
export function startTriggers(options: StartTriggersOptions): RunningTriggers {
  const { core, invoker, logger } = options;
  for (const fn of core.functions.values()) {
    if (!SUPPORTED.has(fn.trigger.type.toLowerCase())) {
      logger.warn(
        `Function '${fn.name}' has a ${fn.trigger.type}, which the local host does not run; ` +
          'it is registered but never invoked (blob triggers: use an Event Grid trigger on BlobCreated, as the app does in Azure)',
      );
    }
  }
  const listeners = core.byTrigger('queueTrigger').map((fn) => {
    const where = `function '${fn.name}'`;
    const queueName = resolveAppSettingExpression(String(fn.trigger['queueName'] ?? ''), `${where} queueName`).toLowerCase();
    if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,54}[a-z0-9]$/.test(queueName)) {
      throw new FunctionRegistrationError(
        fn.name,
        `queueName '${queueName}' is not a valid queue name (3-56 lowercase letters, digits, single dashes, so that '<name>-poison' fits)`,
      );
    }
    const connection = resolveStorageConnection(fn.trigger['connection'] as string | undefined, where, {
      azuritePorts: options.azuritePorts,
    });
    const service = QueueServiceClient.fromConnectionString(connection);
    return new QueueListener(
      fn,
      service.getQueueClient(queueName),
      service.getQueueClient(`${queueName}-poison`),
      options.queues,
      invoker,
      logger,
      { leaseSeconds: options.leaseSeconds },
    );
  });
  // Timers are singletons across the instances sharing the app's storage account, as in Azure.
  const timerFunctions = core.byTrigger('timerTrigger');
  const locks =
    timerFunctions.length && process.env['AzureWebJobsStorage']
      ? timerLocks({
          connectionString: resolveStorageConnection(undefined, 'timer locks', { azuritePorts: options.azuritePorts }),
          hostId: process.env['AzureFunctionsWebHost__hostid'] ?? 'autopilot-local',
          instanceId: instanceIdIn(options.stateDir),
          logger,
        })
      : undefined;
  const timers = new TimerScheduler(timerFunctions, options.stateDir, invoker, logger, locks);
  for (const listener of listeners) listener.start();
  timers.start();
  return {
    queueListeners: listeners,
    stop: async () => {
      await timers.stop();
      await Promise.all(listeners.map((l) => l.stop()));
    },
  };
}
