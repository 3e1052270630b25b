/**
 * Section 6 without the stack: sequential 2-row requests straight to a tiny scoring server, through
 * the minimal proxy and through the router core alone (./routerOnly.ts), in rotating blocks; prints
 * the p50s and router / proxy added p50. `npx tsx bench/routerAlone/run.ts [collect] [rounds]`.
 * Tells the router's own path from what sharing the cores with the stack adds (bench/RESULTS.md §6).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
async function start(args: string[]): Promise<{ port: number; kill: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout! })) {
    const m = /^LISTENING (\d+)/.exec(line);
    if (m) return { port: Number(m[1]), kill: () => child.kill() };
  }
  throw new Error('no port');
}
const body = JSON.stringify({
  data: [
    { a: 1, b: 'x' },
    { a: 2, b: 'y' },
  ],
});
function one(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(performance.now() - t));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
const p50 = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
void (async () => {
  const up = await start([join(__dirname, 'tinyScoringServer.ts')]);
  const upUrl = `http://127.0.0.1:${up.port}`;
  const proxy = await start([join(__dirname, '../minimalProxy.ts'), `${upUrl}/score`]);
  const router = await start([join(__dirname, 'routerOnly.ts'), upUrl, process.argv[2] ?? '']);
  const targets = { direct: [up.port, '/score'], proxy: [proxy.port, '/score'], router: [router.port, '/endpoints/e/score'] } as const;
  const agents = {
    direct: new Agent({ keepAlive: true, maxSockets: 1 }),
    proxy: new Agent({ keepAlive: true, maxSockets: 1 }),
    router: new Agent({ keepAlive: true, maxSockets: 1 }),
  };
  const ms: Record<string, number[]> = { direct: [], proxy: [], router: [] };
  for (const t of ['direct', 'proxy', 'router'] as const) for (let i = 0; i < 300; i++) await one(agents[t], targets[t][0], targets[t][1]);
  const order = ['direct', 'proxy', 'router', 'router', 'proxy', 'direct'] as const;
  for (let round = 0; round < Number(process.argv[3] ?? 4); round++)
    for (const t of order) for (let i = 0; i < 500; i++) ms[t]!.push(await one(agents[t], targets[t][0], targets[t][1]));
  const d = p50(ms.direct!),
    p = p50(ms.proxy!),
    r = p50(ms.router!);
  console.log(
    `p50 direct ${(d * 1000).toFixed(0)}us proxy ${(p * 1000).toFixed(0)}us router ${(r * 1000).toFixed(0)}us; added proxy ${((p - d) * 1000).toFixed(0)} router ${((r - d) * 1000).toFixed(0)} ratio ${((r - d) / (p - d)).toFixed(2)}`,
  );
  for (const c of [up, proxy, router]) c.kill();
  process.exit(0);
})();
