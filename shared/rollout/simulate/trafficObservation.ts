import type { DeploymentCounts, CanaryInterval } from '../types';

// Module constants, not global lookups: under Jest's vm sandbox each global access is slow
// enough to dominate long simulations.
const { ceil } = Math;
const { isFinite } = Number;

/**
 * What the analysis gets at one look: `served` is what the arms served in
 * (fromSeconds, toSeconds] since the canary started; the result is what the backend's
 * `trafficSince` would report at `toSeconds` (possibly less, later, or coarser).
 */
export type ObserveTraffic = (served: CanaryInterval, fromSeconds: number, toSeconds: number) => CanaryInterval;

/** Makes a fresh observer per simulated release (an observer may hold counts it has not shown yet). */
export type TrafficObservation = () => ObserveTraffic;

/** The local router: every look sees exactly the requests served since the previous look. */
export const perRequestCounts: TrafficObservation = () => (served) => served;

export interface MinuteGrainOptions {
  /**
   * true: the adapter reads only minutes Monitor has published (it waits `delaySeconds` past
   * a minute's end). false: it reads every complete minute at once, as endpointTraffic does
   * today (`until` = end of the last complete minute); a minute read before it is published
   * counts as empty and, since `since` moves past it, is never read again.
   * @default true
   */
  waitsForPublication?: boolean;
}

const MINUTE = 60;

/**
 * Azure Monitor's view of the traffic (adapters/azure/workspace/endpointTraffic.ts):
 * `RequestsPerMinute` by deployment, so counts come per whole minute of wall time (minute
 * m covers (60m, 60(m+1)] s after the canary started), and Monitor publishes a minute
 * `delaySeconds` after it ends. A look shows the sum of the minutes newly published.
 * Requests of a look interval that straddles a minute boundary are all counted in the
 * later minute (never shown early); with looks every 5 s no interval straddles one.
 */
export function minuteGrainObserver(delaySeconds: number, options: MinuteGrainOptions = {}): TrafficObservation {
  if (!(isFinite(delaySeconds) && delaySeconds >= 0))
    throw new RangeError(`minuteGrainObserver: delaySeconds must be a finite number >= 0, got ${delaySeconds}`);
  const waits = options.waitsForPublication ?? true;
  return () => {
    const minutes = new Map<number, CanaryInterval>();
    let nextMinute = 0; // the first minute not yet read
    return (served, _fromSeconds, toSeconds) => {
      const minute = ceil(toSeconds / MINUTE) - 1;
      minutes.set(minute, addIntervals(minutes.get(minute), served));
      let seen: CanaryInterval | undefined;
      for (;;) {
        const end = (nextMinute + 1) * MINUTE;
        const published = end + delaySeconds <= toSeconds;
        if (!(waits ? published : end <= toSeconds)) break;
        if (published) seen = addIntervals(seen, minutes.get(nextMinute));
        minutes.delete(nextMinute);
        nextMinute += 1;
      }
      return seen ?? emptyLike(served);
    };
  };
}

function addIntervals(a: CanaryInterval | undefined, b: CanaryInterval | undefined): CanaryInterval {
  if (!a || !b) return (a ?? b)!;
  return { canary: addArms(a.canary, b.canary), stable: addArms(a.stable, b.stable) };
}

function addArms(a: DeploymentCounts, b: DeploymentCounts): DeploymentCounts {
  const predictions = { ...a.predictions };
  for (const [k, n] of Object.entries(b.predictions)) predictions[k] = (predictions[k] ?? 0) + n;
  return {
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
    slowerThan: a.slowerThan.map((n, i) => n + (b.slowerThan[i] ?? 0)),
    predictions,
  };
}

/** Nothing new at this look, with the same latency thresholds so the interval stays valid. */
function emptyLike(served: CanaryInterval): CanaryInterval {
  const empty = (arm: DeploymentCounts): DeploymentCounts => ({
    requests: 0,
    errors: 0,
    slowerThan: arm.slowerThan.map(() => 0),
    predictions: {},
  });
  return { canary: empty(served.canary), stable: empty(served.stable) };
}
