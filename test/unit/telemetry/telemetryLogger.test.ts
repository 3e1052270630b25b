import { InvocationContext, type LogLevel } from '@azure/functions';
import { context as otelContext, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { Logger } from '../../../shared/ports';
import { telemetryLogger, withInvocation, withSpan, type LogRecordSink } from '../../../adapters/telemetry';
import { otelTestKit } from './otelTestKit';

const correlation = { releaseId: 'churn-20250301-100000-abc123', pipeline: 'churn', stage: 'canary' };

function hostContext(lines: { level: LogLevel; text: string }[], traceParent?: string): InvocationContext {
  return new InvocationContext({
    functionName: 'releaseSteps',
    invocationId: 'inv-1',
    logHandler: (level, ...args) => void lines.push({ level, text: args.map(String).join(' ') }),
    ...(traceParent ? { traceContext: { traceParent, traceState: '', attributes: {} } } : {}),
  });
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m, p) => void lines.push(`info ${m} ${JSON.stringify(p)}`),
    warn: (m, p) => void lines.push(`warn ${m} ${JSON.stringify(p)}`),
    error: (m, p) => void lines.push(`error ${m} ${JSON.stringify(p)}`),
  };
}

describe('telemetryLogger', () => {
  const records = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor(records)] });
  const sink = provider.getLogger('test') as unknown as LogRecordSink;
  afterEach(() => records.reset());
  afterAll(() => provider.shutdown());

  it('inside an invocation writes through the invocation context, with release id, pipeline and stage on every line', async () => {
    const host: { level: LogLevel; text: string }[] = [];
    const fallback = recordingLogger();
    const logger = telemetryLogger('autopilot', { fallback, logRecords: sink });
    await withInvocation(hostContext(host), correlation, async () => {
      logger.info('job submitted', { job: 'train-1' });
      await Promise.resolve();
      logger.warn('job slow');
      logger.error('job failed', { stage: 'train' });
    });
    expect(host).toEqual([
      {
        level: 'information',
        text: 'job submitted {"releaseId":"churn-20250301-100000-abc123","pipeline":"churn","stage":"canary","job":"train-1"}',
      },
      { level: 'warning', text: 'job slow {"releaseId":"churn-20250301-100000-abc123","pipeline":"churn","stage":"canary"}' },
      { level: 'error', text: 'job failed {"releaseId":"churn-20250301-100000-abc123","pipeline":"churn","stage":"train"}' },
    ]);
    expect(fallback.lines).toEqual([]);
  });

  it('outside any invocation writes to the fallback logger, and each invocation keeps its own correlation', async () => {
    const fallback = recordingLogger();
    const logger = telemetryLogger('autopilot', { fallback, logRecords: sink });
    const a: { level: LogLevel; text: string }[] = [];
    const b: { level: LogLevel; text: string }[] = [];
    logger.info('started', { port: 7071 });
    await Promise.all([
      withInvocation(hostContext(a), { releaseId: 'r-a', pipeline: 'churn' }, async () => {
        await new Promise((r) => setImmediate(r));
        logger.info('a');
      }),
      withInvocation(hostContext(b), { releaseId: 'r-b', pipeline: 'fraud' }, async () => {
        logger.info('b');
      }),
    ]);
    expect(fallback.lines).toEqual(['info started {"port":7071}']);
    expect(a.map((l) => l.text)).toEqual(['a {"releaseId":"r-a","pipeline":"churn"}']);
    expect(b.map((l) => l.text)).toEqual(['b {"releaseId":"r-b","pipeline":"fraud"}']);
  });

  it('emits every line as an OTel log record whose attributes carry the correlation (App Insights customDimensions)', async () => {
    const logger = telemetryLogger('autopilot', { fallback: recordingLogger(), logRecords: sink });
    await withInvocation(hostContext([]), correlation, async () => logger.warn('canary verdict: hold', { requests: 120 }));
    const [record] = records.getFinishedLogRecords();
    expect(record!.body).toBe('canary verdict: hold');
    expect(record!.severityText).toBe('WARN');
    expect(record!.attributes).toEqual({ ...correlation, requests: 120, scope: 'autopilot' });
  });

  it('redacts credentials in properties before they reach the host, the fallback or a log record', async () => {
    const fallback = recordingLogger();
    const host: { level: LogLevel; text: string }[] = [];
    const logger = telemetryLogger('autopilot', { fallback, logRecords: sink });
    const secretProps = {
      accountKey: 'c2VjcmV0',
      target: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0',
      url: 'https://a.blob.core.windows.net/c/b?sv=1&sig=c2VjcmV0',
      nested: { apiToken: 'c2VjcmV0' },
    };
    logger.info('outside', secretProps);
    await withInvocation(hostContext(host), correlation, async () => logger.error('inside', secretProps));
    const everything = JSON.stringify([fallback.lines, host, records.getFinishedLogRecords().map((r) => r.attributes)]);
    expect(everything).not.toContain('c2VjcmV0');
    expect(host[0]!.text).toContain('"accountKey":"[redacted]"');
  });
});

describe('withInvocation', () => {
  beforeAll(() => {
    otelContext.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  afterAll(() => {
    otelContext.disable();
    propagation.disable();
  });

  it("makes the host's trace context the parent of spans started inside, with the correlation as span attributes", async () => {
    const kit = otelTestKit();
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    await withInvocation(hostContext([], `00-${traceId}-b7ad6b7169203331-01`), correlation, () =>
      withSpan(
        'release.step',
        {},
        async () => {
          expect(trace.getActiveSpan()?.spanContext().traceId).toBe(traceId);
        },
        { tracer: kit.tracer },
      ),
    );
    const [span] = kit.spans.getFinishedSpans();
    expect(span!.name).toBe('release.step');
    expect(span!.spanContext().traceId).toBe(traceId);
    expect(span!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(span!.attributes).toEqual(correlation);
    await kit.stop();
  });

  it('marks the span failed and rethrows when the step throws', async () => {
    const kit = otelTestKit();
    await expect(
      withInvocation(hostContext([]), correlation, () =>
        withSpan(
          'release.step',
          {},
          async () => {
            throw new Error('workspace unreachable');
          },
          { tracer: kit.tracer },
        ),
      ),
    ).rejects.toThrow('workspace unreachable');
    const [span] = kit.spans.getFinishedSpans();
    expect(span!.status.message).toBe('workspace unreachable');
    expect(span!.events.map((e) => e.name)).toEqual(['exception']);
    await kit.stop();
  });
});
