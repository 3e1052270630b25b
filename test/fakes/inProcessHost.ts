import type { AddressInfo } from 'node:net';
import type { FunctionsCore } from '../../devhost/functionsCore';
import { FunctionInvoker } from '../../devhost/functionInvoker';
import { createHostHttpServer } from '../../devhost/hostHttpServer';
import type { HostKeys } from '../../devhost/hostKeys';
import { HttpRouteTable } from '../../devhost/httpRouteTable';
import { createHostLogger } from '../../devhost/logger';

/**
 * The local host's own HTTP server (routing, host keys, Event Grid webhook) in this process,
 * serving the functions registered into `core`: real registrations, in-memory services.
 */
export async function serveInProcess(core: FunctionsCore, keys: HostKeys): Promise<{ base: string; close(): Promise<void> }> {
  const logger = createHostLogger({ minLevel: 'none' });
  const server = createHostHttpServer({
    core,
    invoker: new FunctionInvoker(core, logger, undefined),
    routes: new HttpRouteTable(core.byTrigger('httpTrigger'), 'api'),
    keys,
    logger,
    status: () => ({}),
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
