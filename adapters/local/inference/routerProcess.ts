/**
 * The endpoint router's own process, forked by ./forkedRouter.ts: the scoring hot path runs
 * here, away from the host's heap, timers and Functions work, as Azure ML's endpoint router
 * runs apart from its control plane (bench/RESULTS.md §6 measures both). It serves until
 * told to stop or until the host goes away (the IPC channel closes), then hands the host
 * what it holds for collection and exits. It needs no storage and holds no secret.
 */
import { ensureError } from '../../../shared/errors';
import type { Logger } from '../../../shared/ports';
import { CollectionRelay } from './collectionRelay';
import { RouterCore } from './routerCore';
import { HostMessageSchema, type RouterCall, type RouterInit, type RouterMessage } from './routerMessages';
import type { RoutingEntry } from './endpointRouting';

function send(message: RouterMessage): void {
  if (process.connected) process.send!(message);
}

/** Says why it cannot serve, then exits once the message is out. */
function failAndExit(error: string): void {
  if (!process.connected) process.exit(1);
  process.send!({ kind: 'failed', error } satisfies RouterMessage, () => process.exit(1));
}

const logger: Logger = {
  info: (message, properties) => send({ kind: 'log', level: 'info', message, ...(properties ? { properties } : {}) }),
  warn: (message, properties) => send({ kind: 'log', level: 'warn', message, ...(properties ? { properties } : {}) }),
  error: (message, properties) => send({ kind: 'log', level: 'error', message, ...(properties ? { properties } : {}) }),
};

let core: RouterCore | undefined;
let stopping: Promise<void> | undefined;

function stopAndExit(): Promise<void> {
  stopping ??= (async () => {
    try {
      await core?.stop();
    } catch (error) {
      logger.error('the router process did not stop cleanly', { error: ensureError(error).message });
    }
  })();
  return stopping;
}

async function init(message: RouterInit): Promise<void> {
  const relay = message.collect ? new CollectionRelay(message.collect, (groups) => send({ kind: 'collected', groups })) : undefined;
  const router = new RouterCore({ port: message.port, host: message.host, logger, ...(relay ? { collector: relay } : {}) });
  core = router;
  for (const entry of message.endpoints) await router.setEndpoint(entry as RoutingEntry);
  try {
    send({ kind: 'ready', port: await router.start() });
  } catch (error) {
    failAndExit(ensureError(error).message);
  }
}

function run(router: RouterCore, call: RouterCall): Promise<unknown> {
  switch (call.op) {
    case 'setEndpoint':
      return router.setEndpoint(call.args[0] as RoutingEntry);
    case 'removeEndpoint':
      return router.removeEndpoint(call.args[0]);
    case 'resetShadow':
      return router.resetShadow(call.args[0]);
    case 'metrics':
      return router.metrics(call.args[0]);
    case 'trafficSince':
      return router.trafficSince(...call.args);
    case 'shadowReport':
      return router.shadowReport(call.args[0]);
    case 'flushCollected':
      return router.flushCollected();
    case 'stop':
      return stopAndExit();
  }
}

process.on('message', (raw: unknown) => {
  const parsed = HostMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const error = `a message from the host was refused: ${parsed.error.message}`;
    // Without a valid start there is nothing to serve: say so and go, rather than hang the host's start.
    if (!core) return failAndExit(error);
    // A call it cannot read is answered with the refusal: its caller must not wait for nothing.
    const id = (raw as { id?: unknown } | null)?.id;
    if (Number.isInteger(id)) return send({ kind: 'result', id: id as number, error });
    logger.error(error);
    return;
  }
  const message = parsed.data;
  if (message.kind === 'init') {
    void init(message);
    return;
  }
  const { id, call } = message;
  if (!core) return send({ kind: 'result', id, error: 'the router process has not started yet' });
  run(core, call).then(
    (value) => send({ kind: 'result', id, value }),
    (error: unknown) => send({ kind: 'result', id, error: ensureError(error).message }),
  );
});

// The host went away (stopped, crashed or killed): nobody is left to route for.
process.on('disconnect', () => void stopAndExit().then(() => process.exit(0)));
