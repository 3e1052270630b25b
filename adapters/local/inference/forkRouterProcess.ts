import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;
const ROUTER_ENTRY = existsSync(join(__dirname, 'routerProcess.ts'))
  ? join(__dirname, 'routerProcess.ts')
  : join(__dirname, 'routerProcess.js');

/** Settings whose names say they may hold a secret (connection strings, keys, tokens, passwords). */
const SECRET_SETTING = /storage|connection|secret|password|token|key|sas|credential/i;

/** Starts ./routerProcess.ts with an IPC channel; it gets this process's settings but those that may hold a secret. */
export function forkRouterProcess(): ChildProcess {
  return fork(ROUTER_ENTRY, [], {
    execArgv: ['--import', TSX_LOADER],
    // `advanced`: structured clone keeps `undefined` (a deployment whose server restarts has no url) and bytes.
    serialization: 'advanced',
    // It needs no storage (collection is the host's): no connection string or key is handed down.
    env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !SECRET_SETTING.test(name))),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}
