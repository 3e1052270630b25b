import type { ShadowReport, TrafficWindow } from '../../../shared/ports';

/**
 * A shadow report from Monitor metrics. Azure ML discards the mirrored deployment's answers,
 * so predictions cannot be compared: `compared` and `agreed` are always 0, and the report
 * tells only how much was mirrored and how often each side failed (5xx).
 */
export function shadowFromMetrics(window: TrafficWindow, shadowDeployment: string): ShadowReport {
  const report: ShadowReport = { mirrored: 0, compared: 0, agreed: 0, shadowErrors: 0, liveErrors: 0 };
  for (const [deployment, traffic] of Object.entries(window.byDeployment)) {
    if (deployment === shadowDeployment) {
      report.mirrored += traffic.requests;
      report.shadowErrors += traffic.errors;
    } else {
      report.liveErrors += traffic.errors;
    }
  }
  return report;
}
