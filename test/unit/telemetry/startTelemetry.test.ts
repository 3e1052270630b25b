import { metrics } from '@opentelemetry/api';
import { ConfigError } from '../../../shared/errors';
import {
  startTelemetry,
  withEventTelemetry,
  withSpan,
  type StartTelemetryOptions,
  type TelemetryHandle,
} from '../../../adapters/telemetry';
import { telemetrySettingsFrom, type AppSettings } from '../../../adapters/settings';

/** Telemetry as the function app starts it (adapters/telemetry/register.ts): from the validated settings. */
const startFrom = (env: AppSettings, options?: StartTelemetryOptions) => startTelemetry(telemetrySettingsFrom(env), options);

describe('startTelemetry', () => {
  let handle: TelemetryHandle | undefined;
  afterEach(async () => {
    await handle?.shutdown();
    handle = undefined;
  });

  it('exports nothing without APPLICATIONINSIGHTS_CONNECTION_STRING or AUTOPILOT_TELEMETRY', () => {
    handle = startFrom({});
    expect(handle.mode).toBe('off');
  });

  it('with AUTOPILOT_TELEMETRY=off exports nothing even when a connection string is set', () => {
    handle = startFrom({
      AUTOPILOT_TELEMETRY: 'off',
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000001',
    });
    expect(handle.mode).toBe('off');
  });

  it('with AUTOPILOT_TELEMETRY=console prints metrics and spans as single lines', async () => {
    const lines: string[] = [];
    handle = startFrom({ AUTOPILOT_TELEMETRY: 'console' }, { write: (l) => void lines.push(l), exportIntervalMillis: 3_600_000 });
    expect(handle.mode).toBe('console');
    const events = withEventTelemetry({ publish: async () => {} });
    await withSpan('release.step', { releaseId: 'churn-20250301-100000-abc123', pipeline: 'churn', stage: 'promote' }, () =>
      events.publish([
        {
          id: 'e',
          type: 'autopilot.ReleaseSucceeded',
          source: '/autopilot/pipelines/churn',
          subject: 'releases/churn-20250301-100000-abc123',
          time: '2025-03-01T10:20:00.000Z',
          data: {
            releaseId: 'churn-20250301-100000-abc123',
            pipeline: 'churn',
            status: 'succeeded',
            stage: 'promote',
            createdAt: '2025-03-01T10:00:00.000Z',
          },
        },
      ]),
    );
    await handle.flush();
    expect(lines).toEqual(
      expect.arrayContaining([
        'metric autopilot.release.duration =1200s pipeline=churn outcome=succeeded',
        'metric autopilot.stage.outcomes +1 pipeline=churn stage=promote outcome=succeeded',
      ]),
    );
    expect(lines.find((l) => l.startsWith('span release.step '))).toMatch(
      /^span release\.step \d+ms ok releaseId=churn-20250301-100000-abc123 pipeline=churn stage=promote$/,
    );
    expect(lines.find((l) => l.startsWith('span publish autopilot.ReleaseSucceeded '))).toBeDefined();
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
    // Delta temporality: nothing new, nothing printed.
    const before = lines.length;
    await handle.flush();
    expect(lines).toHaveLength(before);
  });

  it('starts once per process: a second call returns the first handle whatever it passes', () => {
    handle = startFrom({ AUTOPILOT_TELEMETRY: 'console' }, { write: () => {} });
    const meterProvider = metrics.getMeterProvider();
    expect(startFrom({ AUTOPILOT_TELEMETRY: 'off' })).toBe(handle);
    expect(metrics.getMeterProvider()).toBe(meterProvider);
  });

  it('refuses an AUTOPILOT_TELEMETRY value it does not know, naming the setting and the values it takes', () => {
    expect(() => startFrom({ AUTOPILOT_TELEMETRY: 'verbose' })).toThrow(ConfigError);
    expect(() => startFrom({ AUTOPILOT_TELEMETRY: 'verbose' })).toThrow(
      /AUTOPILOT_TELEMETRY: must be "console", "off" or unset, not "verbose"/,
    );
  });

  it('refuses a connection string without an InstrumentationKey and does not echo it', () => {
    const start = () => startFrom({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'IngestionEndpoint=https://x/;Secret=hunter2' });
    expect(start).toThrow(/APPLICATIONINSIGHTS_CONNECTION_STRING: has no InstrumentationKey/);
    expect(start).not.toThrow(/hunter2/);
  });
});
