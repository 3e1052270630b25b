import { app, type InvocationContext, type Timer } from '@azure/functions';
import { runningOnAzure } from '../adapters/settings';
import { invocationHandler } from '../adapters/telemetry';
import { services } from './services';

/** Re-drives releases whose lease expired (a crash or a lost message), admits orphaned ones and finishes pending outboxes. */
export async function onSweep(_timer: Timer, context: InvocationContext): Promise<void> {
  // Unreadable records are skipped and logged once each by the repository; the rest go on.
  const { redriven, admitted, flushed } = await (await services()).sweeper.sweep();
  if (redriven.length || admitted.length || flushed.length) {
    context.log(
      `sweep: re-drove ${redriven.join(', ') || 'none'}; admitted ${admitted.join(', ') || 'none'}; finished pending effects of ${flushed.join(', ') || 'none'}`,
    );
  }
}

// The schedule is an app setting (local.settings.json: every 15 s; infra/main.json: every minute,
// since on Flex Consumption each tick is billed). runOnStartup only locally: Azure runs it on
// every scale-out and restart, which the Functions docs advise against in production.
app.timer('sweeper', {
  schedule: '%AUTOPILOT_SWEEP_SCHEDULE%',
  runOnStartup: !runningOnAzure(process.env),
  handler: invocationHandler(onSweep),
});
