import type { ShadowReport } from '../../../shared/ports';
import { predictionAsNumber } from '../../../shared/evaluation/regressionAnswers';
import { isErrorStatus } from './aggregateTraffic';

/** One side of a mirrored request: the status and, for a JSON answer, its predictions. */
export interface ShadowSide {
  status: number;
  predictions?: unknown[] | undefined;
}

/**
 * Whether two answers can be compared (both 2xx with a `predictions` array) and, if so,
 * whether they agree: same length and every element equal as JSON, or, with a `tolerance`
 * (a regressor's shadow), numbers at most that far apart.
 */
export function comparePredictions(live: ShadowSide, shadow: ShadowSide, tolerance?: number): { compared: boolean; agreed: boolean } {
  const ok = (side: ShadowSide) => side.status >= 200 && side.status < 300 && side.predictions !== undefined;
  if (!ok(live) || !ok(shadow)) return { compared: false, agreed: false };
  const a = live.predictions!;
  const b = shadow.predictions!;
  // A regressor's numbers may come as numeric strings (json.dumps of numpy values), which the
  // evaluation reads as numbers too (predictionAsNumber); compared as JSON they would never agree.
  const same = (x: unknown, y: unknown) => {
    if (tolerance !== undefined) {
      const [u, v] = [predictionAsNumber(x), predictionAsNumber(y)];
      if (Number.isFinite(u) && Number.isFinite(v)) return Math.abs(u - v) <= tolerance;
    }
    return JSON.stringify(x) === JSON.stringify(y);
  };
  const agreed = a.length === b.length && a.every((value, i) => same(value, b[i]));
  return { compared: true, agreed };
}

/** Counters of one shadow setting; a new setting starts a new tally. */
export class ShadowTally {
  private readonly counts: ShadowReport = { mirrored: 0, compared: 0, agreed: 0, shadowErrors: 0, liveErrors: 0 };

  add(live: ShadowSide, shadow: ShadowSide, tolerance?: number): void {
    this.counts.mirrored++;
    if (isErrorStatus(live.status)) this.counts.liveErrors++;
    if (isErrorStatus(shadow.status)) this.counts.shadowErrors++;
    const { compared, agreed } = comparePredictions(live, shadow, tolerance);
    if (compared) this.counts.compared++;
    if (agreed) this.counts.agreed++;
  }

  report(): ShadowReport {
    return { ...this.counts };
  }
}
