/**
 * The scoring server one deployment runs as, in its own process (like an AML inference
 * container). It loads the deployment's scoring script under Azure ML's contract —
 * `init()` once, then `run(rawData)` per request — and speaks:
 *   GET / or /health  liveness: 200 once init() finished, 503 before (Azure ML's REST spec wants a
 *                route with a letter in it, so deployments name /health)
 *   POST /score  the raw body goes to run(); its JSON-serialisable result is the answer
 * It prints `LISTENING <port>` on stdout as soon as it listens, so the parent learns the port.
 *
 * Environment: AUTOPILOT_SCORING_SCRIPT (absolute path) or Azure ML's AML_APP_ROOT + AZUREML_ENTRY_SCRIPT,
 * AZUREML_MODEL_DIR (model files); AUTOPILOT_SCORING_PORT / _HOST in a container (default: any port, loopback).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface ScoringScript {
  init?: () => unknown;
  run: (rawData: string) => unknown;
}

let script: ScoringScript | undefined;

async function loadScript(path: string): Promise<ScoringScript> {
  const loaded = (await import(pathToFileURL(path).href)) as Record<string, unknown> & { default?: Record<string, unknown> };
  // A CommonJS or transpiled module may only expose its exports as `default`.
  const candidate = typeof loaded['run'] === 'function' ? loaded : loaded.default;
  if (!candidate || typeof candidate['run'] !== 'function') {
    throw new Error(`${path} does not export a run(rawData) function (Azure ML scoring contract: export init() and run())`);
  }
  return candidate as unknown as ScoringScript;
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function score(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBody(req);
  if (!script) return reply(res, 503, JSON.stringify({ error: 'the scoring script is still initialising' }));
  let result: unknown;
  try {
    result = await script.run(raw);
  } catch (error) {
    const status = clientErrorStatus(error);
    // A bad request is the caller's to fix: its 4xx and message, as Azure ML's server answers
    // an AMLResponse(message, 400) from run() (azureml-inference-server-http), not a 500.
    if (status) return reply(res, status, JSON.stringify({ error: (error as Error).message }));
    console.error(`run() failed: ${(error as Error)?.stack ?? String(error)}`);
    return reply(res, 500, JSON.stringify({ error: `run() failed: ${(error as Error)?.message ?? String(error)}` }));
  }
  let body: string | undefined;
  try {
    body = JSON.stringify(result);
  } catch (error) {
    body = undefined;
    console.error(`run() returned a value that is not JSON-serialisable: ${(error as Error).message}`);
  }
  if (body === undefined) {
    return reply(res, 500, JSON.stringify({ error: 'run() returned a value that is not JSON-serialisable' }));
  }
  reply(res, 200, body);
}

function clientErrorStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500 ? status : undefined;
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && (path === '/' || path === '/health')) {
    return script ? reply(res, 200, '{"status":"Healthy"}') : reply(res, 503, '{"status":"initialising"}');
  }
  if (req.method === 'POST' && path === '/score') {
    return void score(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 500, JSON.stringify({ error: String(error) }));
    });
  }
  reply(res, 404, JSON.stringify({ error: `no route ${req.method} ${path}; use GET /health or POST /score` }));
});
// Longer than the router's keep-alive sockets stay idle, so it never reuses a socket we closed.
server.keepAliveTimeout = 120_000;

/**
 * The scoring script: ours names it outright; in an Azure ML container (examples/tabular/azure)
 * Azure ML mounts code_configuration.code at AML_APP_ROOT and names the script AZUREML_ENTRY_SCRIPT.
 */
function scriptPathFromEnvironment(env: NodeJS.ProcessEnv): string {
  const named = env['AUTOPILOT_SCORING_SCRIPT'];
  if (named) return named;
  const root = env['AML_APP_ROOT'];
  const entry = env['AZUREML_ENTRY_SCRIPT'];
  if (root && entry) return isAbsolute(entry) ? entry : join(root, entry);
  throw new Error('set AUTOPILOT_SCORING_SCRIPT, or AML_APP_ROOT and AZUREML_ENTRY_SCRIPT as Azure ML does');
}

async function main(): Promise<void> {
  const scriptPath = scriptPathFromEnvironment(process.env);
  // A container serves the routes of its environment's inference_config on a fixed port, on every interface.
  const port = Number(process.env['AUTOPILOT_SCORING_PORT'] ?? 0);
  await new Promise<void>((resolve) => server.listen(port, process.env['AUTOPILOT_SCORING_HOST'] ?? '127.0.0.1', resolve));
  const address = server.address();
  process.stdout.write(`LISTENING ${typeof address === 'object' && address ? address.port : 0}\n`);
  const loaded = await loadScript(scriptPath);
  await loaded.init?.();
  script = loaded;
  console.log('init() finished; serving');
}

main().catch((error: unknown) => {
  console.error(`init failed: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
// In-flight requests are the router's to retry or fail; keep-alive sockets must not delay the exit.
process.on('SIGTERM', () => process.exit(0));
// The parent keeps an IPC channel open: when it dies, so do we (no orphaned servers).
process.on('disconnect', () => process.exit(0));
