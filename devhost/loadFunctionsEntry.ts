import { sep } from 'node:path';
import { FunctionsEntryError } from './errors';
import { ensureError } from '../shared/errors';

/**
 * Requires the app's entry module, which registers its functions as it loads. When the
 * app was loaded before in this process (a host restarted in-process), its own modules
 * are dropped from the require cache first so the registrations run again; packages in
 * node_modules stay cached (`@azure/functions` must keep its binding to our core).
 */
export function loadFunctionsEntry(entry: string, appRoot: string): void {
  const root = appRoot.endsWith(sep) ? appRoot : appRoot + sep;
  const reload = require.cache[entry] !== undefined;
  for (const id of reload ? Object.keys(require.cache) : []) {
    if (id.startsWith(root) && !id.includes(`${sep}node_modules${sep}`) && !id.includes(`${sep}devhost${sep}`)) {
      delete require.cache[id];
    }
  }
  try {
    require(entry);
  } catch (error) {
    throw new FunctionsEntryError(entry, `it threw while loading: ${ensureError(error).stack ?? String(error)}`, error);
  }
}
