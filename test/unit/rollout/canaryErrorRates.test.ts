import { mulberry32 } from '../../../shared/data/split';
import {
  createCanaryAnalysis,
  decideCanary,
  updateCanaryAnalysis,
  type CanaryAnalysisOptions,
  type CanaryAnalysisState,
  type CanaryVerdict,
} from '../../../shared/rollout';
import {
  simulatedDeployment,
  sampleDeploymentCounts,
  sampleBinomial,
  samplePoisson,
  slowRatesFor,
  summariseCanaries,
  type SimulatedDeployment,
} from '../../../shared/rollout/simulate';

/**
 * The error rates the docs state, measured on simulated traffic. Tolerances are three
 * binomial standard errors of the measured proportion; every figure is logged at the end.
 */
const measured: string[] = [];
afterAll(() => console.info(`Canary analysis, measured:\n  ${measured.join('\n  ')}`));

const stable = simulatedDeployment({ errorRate: 0.001 });
const threeSe = (p: number, runs: number) => 3 * Math.sqrt((p * (1 - p)) / runs);

interface Release {
  seed: number;
  rps: number;
  canary: SimulatedDeployment;
  base?: SimulatedDeployment;
  /** Canary share of traffic at each look. */
  weight: (look: number) => number;
  looks: number;
  options?: CanaryAnalysisOptions;
  /** Decide only after the last look, after every look, or until the first verdict other than `continue`. @default 'last' */
  watch?: 'last' | 'every' | 'until-decided';
}

/** One canary analysed every 5 s; returns the final state and every verdict seen. */
function release(r: Release): { state: CanaryAnalysisState; verdicts: CanaryVerdict[] } {
  const rng = mulberry32(r.seed);
  const base = r.base ?? stable;
  let state = createCanaryAnalysis({ classes: Object.keys(base.classShares), ...r.options });
  const verdicts: CanaryVerdict[] = [];
  for (let look = 0; look < r.looks; look++) {
    const total = samplePoisson(rng, r.rps * 5);
    const toCanary = sampleBinomial(rng, total, r.weight(look));
    state = updateCanaryAnalysis(state, {
      canary: sampleDeploymentCounts(rng, toCanary, r.canary),
      stable: sampleDeploymentCounts(rng, total - toCanary, base),
    });
    const watch = r.watch ?? 'last';
    if (watch !== 'last' || look === r.looks - 1) {
      verdicts.push(decideCanary(state).verdict);
      if (watch === 'until-decided' && verdicts.at(-1) !== 'continue') break;
    }
  }
  return { state, verdicts };
}

const steps = (looks: number) => (look: number) => [0.05, 0.25, 0.5][Math.min(2, Math.floor((3 * look) / looks))]!;

describe('canary analysis on simulated traffic', () => {
  it('rolls back at most alpha of canaries equal to the stable, over 500 releases of 120 looks each', () => {
    const runs = 500;
    let rolledBack = 0;
    for (let i = 0; i < runs; i++) {
      const { verdicts } = release({ seed: 1_000 + i, rps: 100, canary: stable, weight: steps(120), looks: 120 });
      // Rejection latches, so the last verdict tells whether any of the 120 looks rejected.
      if (verdicts.at(-1) === 'rollback') rolledBack += 1;
    }
    const rate = rolledBack / runs;
    measured.push(`false rollback rate at alpha=0.01 (6 metrics, 120 looks): ${rolledBack}/${runs} = ${rate}`);
    expect(rate).toBeLessThanOrEqual(0.01 + threeSe(0.01, runs));
  });

  it('keeps false rollbacks below a loose alpha of 0.3, where the bound is not vacuous', () => {
    const runs = 400;
    let rolledBack = 0;
    for (let i = 0; i < runs; i++) {
      const base = simulatedDeployment({ errorRate: 0.05 });
      const { verdicts } = release({
        seed: 5_000 + i,
        rps: 100,
        base,
        canary: base,
        weight: steps(60),
        looks: 60,
        options: { alpha: 0.3 },
      });
      if (verdicts.at(-1) === 'rollback') rolledBack += 1;
    }
    const rate = rolledBack / runs;
    measured.push(`false rollback rate at alpha=0.3: ${rolledBack}/${runs} = ${rate}`);
    expect(rate).toBeGreaterThan(0);
    expect(rate).toBeLessThanOrEqual(0.3 + threeSe(0.3, runs));
  });

  it.each([10, 100])('rolls back a canary with 5%% errors against 0.1%% in at least 95%% of releases at %i requests/s', (rps) => {
    const summary = summariseCanaries({ rps, stableErrorRate: 0.001, canaryErrorRate: 0.05, analysis: 'sequential', seed: 20_000 }, 200);
    measured.push(
      `5% vs 0.1% errors at ${rps} rps: rolled back ${summary.rolledBack * 100}% of 200; median ${summary.medianRequestsToCanary} canary requests, ` +
        `${summary.medianSecondsToDecision} s, ${summary.medianBadCanaryRequests} failed requests to decision`,
    );
    expect(summary.rolledBack).toBeGreaterThanOrEqual(0.95);
  });

  it.each<[string, SimulatedDeployment, string[]]>([
    ["latencies twice the stable's", { ...stable, slowRates: slowRatesFor(2) }, ['latencyP50', 'latencyP99']],
    ['predicting class 1 for 60% instead of 30%', { ...stable, classShares: { '0': 0.4, '1': 0.6 } }, ['class:0', 'class:1']],
  ])('rolls back a canary with %s on the metric that regressed', (_name, canary, metrics) => {
    const runs = 100;
    let caught = 0;
    const seconds: number[] = [];
    for (let i = 0; i < runs; i++) {
      const { state, verdicts } = release({ seed: 30_000 + i, rps: 10, canary, weight: () => 0.05, looks: 720, watch: 'until-decided' });
      const rejected = state.metrics.filter((m) => m.rejected).map((m) => m.id);
      if (rejected.length > 0 && rejected.every((id) => metrics.includes(id))) caught += 1;
      seconds.push(verdicts.length * 5);
    }
    seconds.sort((a, b) => a - b);
    measured.push(`${metrics.join('/')} regression at 10 rps, 5% canary: caught ${caught}/${runs}, median ${seconds[runs >> 1]} s`);
    expect(caught / runs).toBeGreaterThanOrEqual(0.95);
  });

  it.each<[string, SimulatedDeployment, SimulatedDeployment]>([
    ['3× errors (1% to 3%)', simulatedDeployment({ errorRate: 0.01 }), simulatedDeployment({ errorRate: 0.03 })],
    ['3× the p99 tail (1% to 3%)', stable, { ...stable, slowRates: [0.5, 0.03] }],
    ['a 1.5× class share (30% to 45%)', stable, { ...stable, classShares: { '0': 0.55, '1': 0.45 } }],
  ])('passes a canary at the minimum detectable regression, %s, in at most 5%% of releases', (_name, base, canary) => {
    const runs = 200;
    let passed = 0;
    for (let i = 0; i < runs; i++) {
      const { verdicts } = release({ seed: 40_000 + i, rps: 100, base, canary, weight: () => 0.25, looks: 2_000, watch: 'until-decided' });
      if (verdicts.at(-1) === 'pass') passed += 1;
    }
    measured.push(`pass rate at the minimum detectable regression, ${_name}: ${passed}/${runs}`);
    expect(passed / runs).toBeLessThanOrEqual(0.05 + threeSe(0.05, runs));
  });

  it('passes a canary equal to the stable once evidence suffices and then stays passed on more equal data', () => {
    for (let i = 0; i < 20; i++) {
      const { verdicts } = release({ seed: 50_000 + i, rps: 100, canary: stable, weight: () => 0.5, looks: 400, watch: 'every' });
      const firstPass = verdicts.indexOf('pass');
      expect(firstPass).toBeGreaterThan(0);
      expect(verdicts.slice(0, firstPass).every((v) => v === 'continue')).toBe(true);
      expect(verdicts.slice(firstPass).every((v) => v === 'pass')).toBe(true);
    }
  });
});
