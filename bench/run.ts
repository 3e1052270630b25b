/**
 * @module `npm run bench`: measures the trainer in process, then starts the embedded stack on
 * free ports and measures upload -> job latency and whole releases; writes bench/RESULTS.md.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { BenchClient } from './client';
import { measureTriggerLatency } from './latency';
import { renderReport } from './report';
import { measureScoring } from './scoring';
import { benchSklearn } from './sklearn';
import { startChildStack, type ChildStack } from '../devhost/childStack';

const ROOT = resolve(__dirname, '..');
import { benchTrainer } from './trainer';
import { measureReleaseWallTime } from './wallTime';

const JOB_POLL_SECONDS = '1';

async function main(): Promise<void> {
  const started = performance.now();
  const date = new Date().toISOString();
  const cpuList = cpus();
  const loadAverage = loadavg().map((l) => l.toFixed(2)).join(' ');

  // The trainer first, while no stack is running beside it.
  console.log('3. example trainer, 100,000 x 20, 3 repetitions');
  const trainer = benchTrainer({ rows: 100_000, features: 20, repetitions: 3, seed: 42 });
  console.log('   scikit-learn on the same CSV');
  const sklearn = benchSklearn(100_000, 20, 42);
  console.log(`   ${'skipped' in sklearn ? sklearn.skipped : `${sklearn.fitSeconds.toFixed(2)} s`}`);

  console.log('starting the embedded stack');
  let stack: ChildStack | undefined;
  const stopOnSignal = (signal: NodeJS.Signals) => {
    console.error(`${signal}: stopping the embedded stack`);
    void (stack?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal).once('SIGTERM', stopOnSignal);
  try {
    stack = await startChildStack(join(ROOT, 'bench/autopilot.yaml'), { jobPollSeconds: JOB_POLL_SECONDS });
    const client = new BenchClient(stack);
    await client.init();
    console.log('1. upload -> training job started, 20 uploads');
    const latency = await measureTriggerLatency(client, { uploads: 20, rows: 500, prefix: 'default/' });
    console.log('2. full release wall time');
    const wall = [await measureReleaseWallTime(client, 'small/', 2_000), await measureReleaseWallTime(client, 'large/', 20_000)];
    for (const w of wall) console.log(`  ${w.rows} rows: ${w.status} in ${Math.round(w.wallMs)} ms`);
    const scoring = await measureScoring(stack.endpoints, 'small-prod');

    const report = renderReport({
      date,
      node: process.version,
      cpus: `${cpuList.length} CPUs (${cpuList[0]?.model.trim() ?? 'unknown model'})`,
      loadAverage,
      jobPollSeconds: JOB_POLL_SECONDS,
      trainer,
      sklearn,
      latency,
      wall,
      scoring,
      totalSeconds: (performance.now() - started) / 1000,
    });
    writeFileSync(join(ROOT, 'bench/RESULTS.md'), report);
    console.log(`\n${report}\nwrote bench/RESULTS.md`);
  } catch (error) {
    // A dead stack shows up as "fetch failed" far from its cause; say what happened to it.
    if (stack) console.error(`embedded stack: ${stack.exitReason() ?? 'still running'}; its last output:\n${stack.output().slice(-4000)}`);
    throw error;
  } finally {
    await stack?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
