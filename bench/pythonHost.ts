import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEndpointHost } from '../adapters/local/inference/endpointHost';
import { ScoringProcess } from '../adapters/local/inference/scoringProcess';
import { localMlWorkspace } from '../adapters/local/workspace/localMlWorkspace';
import { ProbeSettings } from '../shared/jobs/deploymentSpec';
import { keepAliveAgent, postScore } from './scoreClient';
import { summarize, type Summary } from './stats';

type Host = 'node' | 'python';
type Path = 'direct' | 'router';
const TARGETS: [Host, Path][] = [
  ['node', 'direct'],
  ['python', 'direct'],
  ['node', 'router'],
  ['python', 'router'],
];

export interface Measured {
  latency: Summary;
  /** Requests per second, sequential over one keep-alive connection. */
  rps: number;
}

export interface HostComparison {
  rounds: number;
  perRound: number;
  results: Record<`${Host} ${Path}`, Measured>;
}

// The same tiny model in both languages: a fixed rule on one column, one prediction per row.
const NODE_SCRIPT = `export function init() {}\nexport function run(raw) { const r = JSON.parse(raw); return { predictions: r.input_data.data.map((row) => (row[0] > 10 ? 1 : 0)) }; }\n`;
const PYTHON_SCRIPT = `import json\ndef init():\n    pass\ndef run(raw):\n    r = json.loads(raw)\n    return {"predictions": [1 if row[0] > 10 else 0 for row in r["input_data"]["data"]]}\n`;

/**
 * Round trips to the Node scoring server and the Python host serving the same tiny model,
 * straight to each server and through the local endpoint router (a deployment of each on
 * its own endpoint, all traffic to it), in rounds whose order rotates so the four targets
 * see the same machine load; the ratios are what to read.
 */
export async function compareScoringHosts(rounds = 12, perRound = 200): Promise<HostComparison> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-hosts-'));
  writeFileSync(join(dir, 'score.mjs'), NODE_SCRIPT);
  writeFileSync(join(dir, 'score.py'), PYTHON_SCRIPT);
  for (const [host, script] of [
    ['node', 'score.mjs'],
    ['python', 'score.py'],
  ]) {
    writeFileSync(
      join(dir, `${host}.yaml`),
      `code_configuration: { code: ., scoring_script: ${script} }\nenvironment: azureml:unused@latest\n`,
    );
  }
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'model', 'rule.txt'), 'row[0] > 10\n');
  const liveness = ProbeSettings.parse({ initial_delay: 0, period: 1, failure_threshold: 60 });
  const server = (script: string) =>
    new ScoringProcess(
      {
        label: `bench ${script}`,
        scriptPath: join(dir, script),
        codeDir: dir,
        modelDir: join(dir, 'model'),
        environmentVariables: {},
        liveness,
      },
      { restart: false },
    );
  const direct = { node: server('score.mjs'), python: server('score.py') };
  const router = new LocalEndpointHost({ port: 0 });
  const workspace = localMlWorkspace({
    environment: 'prod',
    rootDir: join(dir, 'ws'),
    endpointHost: router,
    fetchInput: async () => Buffer.alloc(0),
  });
  const times = Object.fromEntries(TARGETS.map(([h, p]) => [`${h} ${p}`, [] as number[]])) as Record<`${Host} ${Path}`, number[]>;
  const elapsed = Object.fromEntries(TARGETS.map(([h, p]) => [`${h} ${p}`, 0])) as Record<`${Host} ${Path}`, number>;
  try {
    await Promise.all([direct.node.start(), direct.python.start(), router.start()]);
    await workspace.start();
    await workspace.models.registerModel({ name: 'tiny', source: { path: join(dir, 'model') }, idempotencyKey: 'bench' });
    for (const host of ['node', 'python'] as const) {
      await workspace.endpoints.deploy({
        endpoint: `tiny-${host}`,
        deployment: 'blue',
        model: { name: 'tiny', version: 1 },
        specPath: join(dir, `${host}.yaml`),
      });
      await workspace.endpoints.setTraffic(`tiny-${host}`, { blue: 100 });
    }
    const urlOf = (host: Host, path: Path) =>
      path === 'direct' ? `${direct[host].url}/score` : `http://127.0.0.1:${router.port}/endpoints/tiny-${host}/score`;
    for (let round = 0; round < rounds; round++) {
      const order = [...TARGETS.slice(round % TARGETS.length), ...TARGETS.slice(0, round % TARGETS.length)];
      for (const [host, path] of order) {
        const key = `${host} ${path}` as const;
        const agent = keepAliveAgent(1);
        const started = performance.now();
        for (let i = 0; i < perRound; i++) {
          const answer = await postScore(urlOf(host, path), agent);
          if (answer.status !== 200) throw new Error(`bench: ${key} answered ${answer.status}: ${answer.error}`);
          times[key].push(answer.ms);
        }
        elapsed[key] += performance.now() - started;
        agent.destroy();
      }
    }
  } finally {
    await workspace.stop().catch(() => undefined);
    await Promise.all([direct.node.stop(), direct.python.stop(), router.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
  const total = rounds * perRound;
  const results = Object.fromEntries(
    TARGETS.map(([h, p]) => [`${h} ${p}`, { latency: summarize(times[`${h} ${p}`]), rps: (total / elapsed[`${h} ${p}`]) * 1000 }]),
  ) as HostComparison['results'];
  return { rounds, perRound, results };
}

export function pythonHostSection(c: HostComparison): string[] {
  const ms = (v: number) => v.toFixed(2);
  const r = c.results;
  const row = (label: string, m: Measured) => `| ${label} | ${ms(m.latency.p50)} | ${ms(m.latency.p99)} | ${m.rps.toFixed(0)} |`;
  const added = (host: Host) => r[`${host} router`].latency.p50 - r[`${host} direct`].latency.p50;
  return [
    '## 13. Python scoring host vs Node scoring server, same tiny model, direct and through the router',
    '',
    `${c.rounds} rounds of ${c.perRound} sequential 2-row requests per target over one keep-alive connection, the four targets in rotating order: each server directly, and a deployment of each behind the local endpoint router (all traffic to it, inference data collection off).`,
    '',
    '| target | p50 ms | p99 ms | requests/s |',
    '|---|---|---|---|',
    row('Node (score.mjs), direct', r['node direct']),
    row('Python (score.py, standard-library host), direct', r['python direct']),
    row('Node, through the router', r['node router']),
    row('Python, through the router', r['python router']),
    '',
    `Python / Node: p50 ${(r['python direct'].latency.p50 / r['node direct'].latency.p50).toFixed(2)}x direct, ${(r['python router'].latency.p50 / r['node router'].latency.p50).toFixed(2)}x through the router; throughput ${(r['python direct'].rps / r['node direct'].rps).toFixed(2)}x direct, ${(r['python router'].rps / r['node router'].rps).toFixed(2)}x through the router.`,
    `The router adds ${ms(added('node'))} ms (Node) and ${ms(added('python'))} ms (Python) at p50: it forwards bytes, so the host behind it changes little of its cost; the host's own time is what differs.`,
    '',
  ];
}
