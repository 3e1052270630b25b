import type { Server } from 'node:http';

/** Stops a fake's server now: open keep-alive connections would hold close() for seconds. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
