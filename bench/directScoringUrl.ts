import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EndpointInfo } from '../shared/ports';
import { LISTENING_MARKER } from '../adapters/local/inference/launchScoringServer';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;

/**
 * The scoring server behind `endpoint`'s deployment taking all traffic, reached without the
 * router. The local workspace logs each server's output to
 * `<stateDir>/workspaces/prod/endpoints/<endpoint>/<deployment>.log`, including a line with
 * the port each server listens on; the last one is the live process (a restart appends one).
 */
export async function directScoringUrl(stateDir: string, endpoint: EndpointInfo): Promise<{ deployment: string; url: string }> {
  const [deployment] = Object.entries(endpoint.traffic).find(([, share]) => share === 100) ?? [];
  if (!deployment) throw new Error(`bench: ${endpoint.name} has no deployment at 100 % (${JSON.stringify(endpoint.traffic)})`);
  for (const name of [endpoint.name, deployment]) {
    if (!SAFE_NAME.test(name))
      throw new Error(`bench: '${name}' is not a plain endpoint or deployment name; refusing to read a log path built from it`);
  }
  const log = join(stateDir, 'workspaces', endpoint.environment, 'endpoints', endpoint.name, `${deployment}.log`);
  const ports = [...(await readFile(log, 'utf8')).matchAll(new RegExp(`${escapeRegExp(LISTENING_MARKER)}(\\d+)$`, 'gm'))];
  const port = ports.at(-1)?.[1];
  if (!port) throw new Error(`bench: no '${LISTENING_MARKER}<port>' line in ${log}; cannot reach ${endpoint.name}/${deployment} directly`);
  return { deployment, url: `http://127.0.0.1:${port}/score` };
}
