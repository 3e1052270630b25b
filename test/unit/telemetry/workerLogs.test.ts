import { app } from '@azure/functions';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { invocationHandler, telemetryLogger, type LogRecordSink } from '../../../adapters/telemetry';
import { sendLogsFromWorker, WORKER_SENDS_LOGS_CAPABILITY } from '../../../adapters/telemetry/workerLogs';
import { FunctionInvoker } from '../../../devhost/functionInvoker';
import { mockFunctionsCore } from '../../fakes/functionsCoreModule';
import { createHostLogger } from '../../../devhost/logger';

/**
 * The function app's logging as the Functions host runs it: real @azure/functions
 * registrations and hooks on devhost's core (which calls log hooks inside context.log, as
 * the Node.js worker does), an in-memory OTel log exporter in place of Application Insights.
 */
const core = mockFunctionsCore();

const records = new InMemoryLogRecordExporter();
const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor(records)] });
const sink = provider.getLogger('test') as unknown as LogRecordSink;
const hostLines: string[] = [];
const invoker = new FunctionInvoker(core, createHostLogger({ write: (line) => void hostLines.push(line) }), undefined);
const logger = telemetryLogger('autopilot', { logRecords: sink, fallback: { info: () => {}, warn: () => {}, error: () => {} } });

beforeAll(() => {
  sendLogsFromWorker({ logRecords: sink });
  app.storageQueue('stepsUnderTest', {
    queueName: 'q',
    connection: 'AzureWebJobsStorage',
    handler: invocationHandler(
      async (message: unknown, context) => {
        logger.info('step done', { job: 'train-1' });
        context.log('raw line from the function');
        context.warn('raw line with AccountKey=c2VjcmV0');
      },
      (message) => message as { releaseId: string; pipeline: string },
    ),
  });
  app.storageQueue('malformedUnderTest', {
    queueName: 'q2',
    connection: 'AzureWebJobsStorage',
    handler: invocationHandler(
      async (_message: unknown, context) => void context.log('still runs'),
      () => {
        throw new Error('cannot read the trigger');
      },
    ),
  });
  core.lock();
});
afterEach(() => {
  records.reset();
  hostLines.length = 0;
});
afterAll(() => provider.shutdown());

const bodies = () => records.getFinishedLogRecords().map((r) => r.body);
const attributesOf = (body: string) => records.getFinishedLogRecords().find((r) => r.body === body)?.attributes;

describe('one copy of each log line in Application Insights (sendLogsFromWorker)', () => {
  it('tells the host that the worker sends its own logs, so the host leaves its Application Insights copy out', async () => {
    const model = core.programmingModel as unknown as { getCapabilities(c: Record<string, string>): Promise<Record<string, string>> };
    expect(await model.getCapabilities({})).toMatchObject({ [WORKER_SENDS_LOGS_CAPABILITY]: 'true' });
  });

  it("sends each line once: the logger's with its properties, raw context.log lines through the hook, all with the invocation's correlation", async () => {
    await invoker.invoke(core.find('stepsUnderTest')!, { releaseId: 'churn-20250301-100000-abc123', pipeline: 'churn' });
    expect(bodies()).toEqual(['step done', 'raw line from the function', '[redacted]']);
    expect(attributesOf('step done')).toEqual({
      releaseId: 'churn-20250301-100000-abc123',
      pipeline: 'churn',
      job: 'train-1',
      scope: 'autopilot',
    });
    expect(attributesOf('raw line from the function')).toEqual({
      releaseId: 'churn-20250301-100000-abc123',
      pipeline: 'churn',
      functionName: 'stepsUnderTest',
      invocationId: expect.any(String),
      scope: 'function',
    });
    expect(records.getFinishedLogRecords().map((r) => r.severityText)).toEqual(['INFO', 'INFO', 'WARN']);
    // The host still writes every line to its own outputs (Log stream, console).
    expect(hostLines.filter((l) => /step done|raw line/.test(l))).toHaveLength(3);
  });

  it('runs the function without correlation when the trigger cannot be read, and keeps unsafe values out of logs', async () => {
    await invoker.invoke(core.find('malformedUnderTest')!, {});
    expect(attributesOf('still runs')).toEqual({ functionName: 'malformedUnderTest', invocationId: expect.any(String), scope: 'function' });
    records.reset();
    await invoker.invoke(core.find('stepsUnderTest')!, { releaseId: '../../etc/passwd', pipeline: 'churn\nforged line' });
    expect(attributesOf('raw line from the function')).not.toHaveProperty('releaseId');
    expect(attributesOf('raw line from the function')).not.toHaveProperty('pipeline');
  });
});
