/**
 * @module `npm run bench`: simulates canary analyses and measures the trainer in process,
 * then starts the embedded stack on free ports and measures upload -> job latency, whole
 * releases, the endpoint router and alert-driven rollback; writes bench/RESULTS.md.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { measureAlertRollback } from './alertRollback';
import { measureAzuriteDurability } from './azuriteDurability';
import { benchCanaryMinuteGrain } from './canaryMinuteGrain';
import { benchCanarySimulation } from './canarySimulation';
import { BenchClient } from './client';
import { benchDriftStats } from './driftStats';
import { benchDriftNoise, driftNoiseSection } from './driftNoise';
import { benchGateSimulation, gateSimulationSection } from './gateSimulation';
import { benchGateCost, gateCostSection } from './gateCost';
import { driftSection } from './reportDrift';
import { measureTriggerLatency } from './latency';
import { chaosSection } from './chaosSection';
import { renderReport } from './report';
import { routerSection } from './reportRouter';
import { durabilitySection } from './reportDurability';
import { measureScaleOut, scaleOutSection } from './scaleout';
import { minuteGrainSection } from './reportMinuteGrain';
import { measureRouterAlone, measureRouterSection } from './routerThroughput';
import { measureScoring } from './scoring';
import { compareScoringHosts, pythonHostSection } from './pythonHost';
import { exampleReleasesSection, measureExampleReleases } from './exampleReleases';
import { benchSklearn } from './sklearn';
import { startChildStack, type ChildStack } from '../devhost/childStack';

import { benchTrainer } from './trainer';
import { benchRegressionTrainer, regressionTrainerSection } from './regressionTrainer';
import { benchRegressorCanary, regressorCanarySection } from './regressorCanary';
import { benchRegressionGate, regressionGateSection } from './regressionGate';
import { measureReleaseWallTime } from './wallTime';

const ROOT = resolve(__dirname, '..');
const JOB_POLL_SECONDS = '1';
/** Releases per row of the simulated sections, 4 and 8 alike (same seeds, so the same traffic). */
const SIMULATION_RUNS = 200;

/**
 * `npm run bench -- --only 8`: runs one section that needs no stack and prints it without touching
 * bench/RESULTS.md (for working on a section; the file is only written whole).
 */
const ONLY: Record<string, () => string[] | Promise<string[]>> = {
  // Starts its own stack and trains the small and busy pipelines (small-prod, busy-prod).
  '6': async () => routerSection(await measureRouterAlone()),
  // Starts its own stack (one pipeline trained, 1M inference rows in Azurite).
  '7': async () => driftSection(await benchDriftStats()),
  '8': () => minuteGrainSection(benchCanaryMinuteGrain(SIMULATION_RUNS)),
  '9': () => dataGateSection(),
  '10': async () => durabilitySection(await measureAzuriteDurability()),
  // Starts its own stacks (one host, then two) and the fakes of Azure.
  '11': async () => scaleOutSection(await measureScaleOut()),
  '13': async () => pythonHostSection(await compareScoringHosts()),
  // Starts its own stack with both examples.
  '14': async () => exampleReleasesSection(await measureExampleReleases()),
  '15': async () => [...gateSimulationSection(benchGateSimulation()), '', ...gateCostSection(await benchGateCost())],
  // The gate's cost alone (section 15's second table).
  '15b': async () => gateCostSection(await benchGateCost()),
  '16': async () => driftNoiseSection(await benchDriftNoise()),
  '17': () => regressionTrainerSection(benchRegressionTrainer()),
  '17b': () => regressorCanarySection(benchRegressorCanary()),
  '17c': async () => regressionGateSection(await benchRegressionGate()),
};

/** Section 9 runs in its own process: it needs --expose-gc, and its RSS must not include the other sections'. */
function dataGateSection(): string[] {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(ROOT, 'bench/dataGate.ts'), '--megabytes', '250'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return out.slice(out.indexOf('## 9.')).trimEnd().split('\n');
}

async function main(): Promise<void> {
  const onlyAt = process.argv.indexOf('--only');
  if (onlyAt >= 0) {
    const section = ONLY[process.argv[onlyAt + 1] ?? ''];
    if (!section) throw new Error(`--only takes one of ${Object.keys(ONLY).join(', ')} (the sections that run without the stack)`);
    console.log((await section()).join('\n'));
    return;
  }
  const started = performance.now();
  const date = new Date().toISOString();
  const cpuList = cpus();
  const loadAverage = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

  // The CPU-only parts first, while no stack is running beside them.
  console.log(`4. canary analyses on simulated traffic, ${SIMULATION_RUNS} runs per row`);
  const simulation = benchCanarySimulation(SIMULATION_RUNS);
  console.log(`   ${simulation.cpuSeconds.toFixed(1)} s of CPU`);
  console.log(`8. bad canary on Azure Monitor minutes vs per-request counts, ${SIMULATION_RUNS} runs per row`);
  const minuteGrain = benchCanaryMinuteGrain(SIMULATION_RUNS);
  console.log(`   ${minuteGrain.cpuSeconds.toFixed(1)} s of CPU`);
  console.log('3. example trainer, 100,000 x 20, 3 repetitions');
  const trainer = benchTrainer({ rows: 100_000, features: 20, repetitions: 3, seed: 42 });
  console.log('   scikit-learn on the same CSV');
  const sklearn = benchSklearn(100_000, 20, 42);
  console.log(`   ${'skipped' in sklearn ? sklearn.skipped : `${sklearn.fitSeconds.toFixed(2)} s`}`);
  console.log('17. example regressor vs scikit-learn Ridge, 100,000 x 20');
  const regressionTrainer = benchRegressionTrainer();
  console.log("17b. a regressor's canary on simulated traffic");
  const regressorCanary = benchRegressorCanary();
  console.log('17c. the regression gate on simulated pairs');
  const regressionGate = await benchRegressionGate();

  console.log('15. evaluation gate on simulated pairs of models');
  const gateSimulation = benchGateSimulation();
  console.log(`   ${gateSimulation.cpuSeconds.toFixed(1)} s of CPU`);
  console.log("15b. the gate's bootstrap: time and event-loop block, before and after");
  const gateCost = await benchGateCost();
  console.log('7. drift statistics, 1,000,000 x 20');
  const drift = await benchDriftStats();
  console.log(`   ${drift.runSeconds.toFixed(1)} s, RSS +${(drift.rssPeakMb - drift.rssBeforeMb).toFixed(0)} MB`);

  console.log('16. drift monitors: false drift and power by baseline and window size');
  const driftNoise = await benchDriftNoise();
  console.log(`   ${driftNoise.cpuSeconds.toFixed(0)} s of CPU`);

  console.log('9. data gate on a 250 MiB CSV');
  const dataGate = dataGateSection();
  console.log('13. Python scoring host vs Node scoring server');
  const pythonHosts = await compareScoringHosts();
  console.log('10. embedded Azurite, answered once saved vs at once');
  const durability = await measureAzuriteDurability();

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
    // Before section 5, whose canaries start the load generator beside the router.
    console.log('6. router vs minimal proxy vs scoring server, small-prod and busy-prod (~1 ms of CPU per request)');
    const router = await measureRouterSection(client, stack.pid);
    for (const c of [router.trivial, router.busy]) {
      console.log(
        `   ${c.endpoint}: ${Math.round(c.burst.router.requestsPerSecond)} vs ${Math.round(c.burst.proxy.requestsPerSecond)} (minimal proxy) vs ${Math.round(c.burst.direct.requestsPerSecond)} (direct) requests/s`,
      );
    }
    console.log('5. alert -> 100 % on stable, 5 rounds');
    const alert = await measureAlertRollback(client, 'alerted', 5);

    await stack.stop();
    stack = undefined;
    const scaleOut = await measureScaleOut();
    console.log('14. release wall time, scikit-learn vs TypeScript example');
    const examples = await measureExampleReleases();

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
      simulation,
      alert,
      router,
      drift,
      minuteGrain,
      totalSeconds: (performance.now() - started) / 1000,
    });
    writeFileSync(
      join(ROOT, 'bench/RESULTS.md'),
      `${report}\n${dataGate.join('\n')}\n\n${durabilitySection(durability).join('\n')}\n${scaleOutSection(scaleOut).join('\n')}\n${chaosSection(ROOT).join('\n')}\n${pythonHostSection(pythonHosts).join('\n')}\n${exampleReleasesSection(examples).join('\n')}\n\n${gateSimulationSection(gateSimulation).join('\n')}\n\n${gateCostSection(gateCost).join('\n')}\n\n${driftNoiseSection(driftNoise).join('\n')}\n\n${regressionTrainerSection(regressionTrainer).join('\n')}\n\n${regressorCanarySection(regressorCanary).join('\n')}\n\n${regressionGateSection(regressionGate).join('\n')}\n`,
    );
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
