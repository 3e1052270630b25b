import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** What we use of a LokiJS database (each of Azurite's metadata stores keeps one). */
export interface LokiDatabase {
  autosaveDirty(): boolean;
  throttledSavePending: boolean;
  saveDatabase(callback: (error?: unknown) => void): void;
}

type Listener = (request: IncomingMessage, response: ServerResponse) => void;
type Held = 'write' | 'end' | 'flushHeaders';

/**
 * Azurite answers as soon as its LokiJS databases change in memory and writes them to disk
 * every 5 s, so a SIGKILL loses writes it acknowledged. This holds every response's first
 * byte until the databases are saved (when they changed): an answer is sent only for what
 * is on disk. Concurrent requests share one save (LokiJS coalesces saves in progress).
 */
export function holdResponsesUntilSaved(server: Server, databases: readonly LokiDatabase[], onSaveError: (error: unknown) => void): void {
  const listeners = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    holdUntilSaved(response, databases, onSaveError);
    for (const listener of listeners) listener.call(server, request, response);
  });
}

function holdUntilSaved(response: ServerResponse, databases: readonly LokiDatabase[], onSaveError: (error: unknown) => void): void {
  const original = { write: response.write, end: response.end, flushHeaders: response.flushHeaders };
  const queued: (() => void)[] = [];
  let state: 'open' | 'saving' | 'released' = 'open';
  const release = () => {
    state = 'released';
    for (const call of queued.splice(0)) call();
  };
  const hold = (name: Held, args: unknown[]): unknown => {
    const call = () => (original[name] as (...a: unknown[]) => unknown).apply(response, args);
    if (state === 'released') return call();
    queued.push(call);
    if (state === 'open') {
      state = 'saving';
      // Reads change nothing and go out at once; the check runs when the answer starts, after the handler's write.
      if (!databases.some(needsSave)) release();
      else {
        saveAll(databases).then(release, (error: unknown) => {
          onSaveError(error);
          // Not on disk, so no answer: the client sees a failed request and retries.
          response.destroy(error instanceof Error ? error : new Error(String(error)));
        });
      }
    }
    // Buffered chunks are accepted (true): a `false` would oblige us to emit 'drain'.
    return name === 'end' ? response : name === 'write' ? true : undefined;
  };
  response.write = ((...args: unknown[]) => hold('write', args)) as ServerResponse['write'];
  response.end = ((...args: unknown[]) => hold('end', args)) as ServerResponse['end'];
  response.flushHeaders = (() => void hold('flushHeaders', [])) as ServerResponse['flushHeaders'];
}

/** Changed since the last save started, or a save is still being written (whose changes we may be part of). */
function needsSave(database: LokiDatabase): boolean {
  return database.autosaveDirty() || database.throttledSavePending;
}

/** Resolves once every database that needed it was saved by a save that began after this call. */
export function saveAll(databases: readonly LokiDatabase[]): Promise<void> {
  return Promise.all(
    databases.filter(needsSave).map(
      (database) => new Promise<void>((resolve, reject) => database.saveDatabase((error) => (error ? reject(error) : resolve()))),
    ),
  ).then(() => undefined);
}
