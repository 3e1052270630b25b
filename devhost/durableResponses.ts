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
export function holdResponsesUntilSaved(
  server: Server,
  databases: readonly LokiDatabase[],
  report: (what: string, error: unknown) => void,
): void {
  const listeners = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    holdUntilSaved(response, databases, report);
    for (const listener of listeners) listener.call(server, request, response);
  });
}

function holdUntilSaved(
  response: ServerResponse,
  databases: readonly LokiDatabase[],
  report: (what: string, error: unknown) => void,
): void {
  const original = { write: response.write, end: response.end, flushHeaders: response.flushHeaders };
  const queued: (() => void)[] = [];
  let state: 'open' | 'saving' | 'released' = 'open';
  const release = () => {
    state = 'released';
    for (const call of queued.splice(0)) {
      // Replayed outside the handler: a throw here must not become an unhandled rejection that ends Azurite.
      try {
        call();
      } catch (error) {
        report('a response failed after the save', error);
      }
    }
  };
  const hold = (name: Held, args: unknown[]): unknown => {
    const call = () => (original[name] as (...a: unknown[]) => unknown).apply(response, args);
    if (state === 'released') return call();
    queued.push(call);
    if (state === 'open') {
      state = 'saving';
      // Checked when the answer starts, after the handler's change; with nothing to save (a read, no save under way) it goes at once.
      if (!databases.some(needsSave)) release();
      else {
        saveAll(databases).then(release, (error: unknown) => {
          report('could not save its data; the request is not acknowledged', error);
          // Not on disk, so no answer: the client sees a failed request and retries.
          response.destroy();
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

/** Databases whose last save failed: LokiJS cleared their dirty flags anyway, so they count as changed until one succeeds. */
const unsaved = new WeakSet<LokiDatabase>();

/** Changed since the last save started, or a save is still being written (whose changes we may be part of). */
function needsSave(database: LokiDatabase): boolean {
  return unsaved.has(database) || database.autosaveDirty() || database.throttledSavePending;
}

/** Resolves once every database that needed it was saved by a save that began after this call. */
export function saveAll(databases: readonly LokiDatabase[]): Promise<void> {
  const saves = databases.filter(needsSave).map(
    (database) =>
      new Promise<void>((resolve, reject) =>
        database.saveDatabase((error) => {
          if (error) unsaved.add(database);
          else unsaved.delete(database);
          return error ? reject(error) : resolve();
        }),
      ),
  );
  return Promise.all(saves).then(() => undefined);
}
