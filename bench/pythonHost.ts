import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScoringProcess } from '../adapters/local/inference/scoringProcess';
import { ProbeSettings } from '../shared/jobs/deploymentSpec';
import { keepAliveAgent, postScore } from './scoreClient';
import { summarize, type Summary } from './stats';

export interface HostComparison {
  rounds: number;
  perRound: number;
  node: Summary;
  python: Summary;
  /** Requests per second, sequential over one keep-alive connection. */
  nodeRps: number;
  pythonRps: number;
}

// The same tiny model in both languages: a fixed rule on one column, one prediction per row.
const NODE_SCRIPT = `export function init() {}\nexport function run(raw) { const r = JSON.parse(raw); return { predictions: r.input_data.data.map((row) => (row[0] > 10 ? 1 : 0)) }; }\n`;
const PYTHON_SCRIPT = `import json\ndef init():\n    pass\ndef run(raw):\n    r = json.loads(raw)\n    return {"predictions": [1 if row[0] > 10 else 0 for row in r["input_data"]["data"]]}\n`;

/**
 * Round trips to the Node scoring server and the Python host serving the same tiny model,
 * in alternating rounds so both see the same machine load; the ratio is what to read.
 * Direct to each server: the router in front of them is the same code for both.
 */
export async function compareScoringHosts(rounds = 10, perRound = 200): Promise<HostComparison> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-hosts-'));
  writeFileSync(join(dir, 'score.mjs'), NODE_SCRIPT);
  writeFileSync(join(dir, 'score.py'), PYTHON_SCRIPT);
  const liveness = ProbeSettings.parse({ initial_delay: 0, period: 1, failure_threshold: 60 });
  const server = (script: string) =>
    new ScoringProcess({ label: `bench ${script}`, scriptPath: join(dir, script), codeDir: dir, modelDir: dir, environmentVariables: {}, liveness }, { restart: false });
  const hosts = { node: server('score.mjs'), python: server('score.py') };
  const times: Record<'node' | 'python', number[]> = { node: [], python: [] };
  const elapsed = { node: 0, python: 0 };
  try {
    await Promise.all([hosts.node.start(), hosts.python.start()]);
    for (let round = 0; round < rounds; round++) {
      for (const name of round % 2 === 0 ? (['node', 'python'] as const) : (['python', 'node'] as const)) {
        const agent = keepAliveAgent(1);
        const started = performance.now();
        for (let i = 0; i < perRound; i++) {
          const answer = await postScore(`${hosts[name].url}/score`, agent);
          if (answer.status !== 200) throw new Error(`bench: the ${name} host answered ${answer.status}: ${answer.error}`);
          times[name].push(answer.ms);
        }
        elapsed[name] += performance.now() - started;
        agent.destroy();
      }
    }
  } finally {
    await Promise.all([hosts.node.stop(), hosts.python.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
  const total = rounds * perRound;
  return { rounds, perRound, node: summarize(times.node), python: summarize(times.python), nodeRps: (total / elapsed.node) * 1000, pythonRps: (total / elapsed.python) * 1000 };
}

export function pythonHostSection(c: HostComparison): string[] {
  const ms = (v: number) => v.toFixed(2);
  return [
    '## 13. Python scoring host vs Node scoring server, same tiny model',
    '',
    `${c.rounds} alternating rounds of ${c.perRound} sequential 2-row requests per host over one keep-alive connection, straight to each server (the router in front is the same code for both).`,
    '',
    '| host | p50 ms | p99 ms | requests/s |',
    '|---|---|---|---|',
    `| Node (score.mjs) | ${ms(c.node.p50)} | ${ms(c.node.p99)} | ${c.nodeRps.toFixed(0)} |`,
    `| Python (score.py, standard-library host) | ${ms(c.python.p50)} | ${ms(c.python.p99)} | ${c.pythonRps.toFixed(0)} |`,
    '',
    `Python / Node: p50 ${(c.python.p50 / c.node.p50).toFixed(2)}x, throughput ${(c.pythonRps / c.nodeRps).toFixed(2)}x.`,
    '',
  ];
}
