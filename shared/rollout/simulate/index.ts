/**
 * @module Simulated canary traffic (seeded, pure) for the tests and the benchmark: our
 * sequential analysis and Flagger's fixed-threshold analysis on the same Poisson traffic.
 */
export { simulateCanary, type FixedThresholdOptions, type SimulateCanaryOptions, type SimulatedCanary } from './simulateCanary';
export { simulatedDeployment, sampleDeploymentCounts, slowRatesFor, type SimulatedDeployment } from './simulatedDeployment';
export { sampleBinomial, sampleMultinomial, samplePoisson, type Rng } from './sampling';
export { summariseCanaries, type CanarySummary } from './summariseCanaries';
export {
  minuteGrainObserver,
  perRequestCounts,
  type MinuteGrainOptions,
  type ObserveTraffic,
  type TrafficObservation,
} from './trafficObservation';
export { regressorShares, simulateRegressorCanaries, type SimulatedRegressorCanaries } from './regressorShares';
