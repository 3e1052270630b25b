/**
 * @module Canary analysis: an always-valid sequential test of canary vs stable on error
 * rate, latency exceedances and prediction shares (docs/canary-analysis.md). Pure; the
 * state is plain JSON, kept in the release record between looks.
 */
export { createCanaryAnalysis, DEFAULT_DETECTABLE, DEFAULT_RISK_GRID } from './createCanaryAnalysis';
export { updateCanaryAnalysis } from './updateCanaryAnalysis';
export { decideCanary } from './decideCanary';
export { InvalidTrafficCountsError } from './validateInterval';
export type * from './types';
