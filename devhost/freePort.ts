import { createServer } from 'node:net';

const KEEP_MS = 120_000;

/**
 * Free loopback ports, never one already handed out in the last two minutes (Azurite got the
 * same port for blob and queue when the OS offered it twice in a row). Racy by nature across
 * processes; callers bind soon after and retry on EADDRINUSE.
 */
export function portPicker(fromOs: () => Promise<number> = portFromOs, now: () => number = Date.now): () => Promise<number> {
  const handedOut = new Map<number, number>();
  return async () => {
    const at = now();
    for (const [port, when] of handedOut) if (at - when > KEEP_MS) handedOut.delete(port);
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await fromOs();
      if (!handedOut.has(port)) {
        handedOut.set(port, at);
        return port;
      }
    }
    throw new Error('freePort: the OS kept offering ports this process handed out moments ago');
  };
}

/** One picker for the whole process: every caller's ports are distinct. */
export const freePort = portPicker();

function portFromOs(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
