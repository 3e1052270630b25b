import { QueueServiceClient } from '@azure/storage-queue';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { FunctionInvoker } from '../../../devhost/functionInvoker';
import { FunctionsCore } from '../../../devhost/functionsCore';
import { createHostLogger } from '../../../devhost/logger';
import { QueueListener } from '../../../devhost/queueListener';

/** The queue settings of the app's host.json: a new batch only while ≤ 4 messages are in flight. */
const HOST_QUEUES = { maxPollingInterval: 2000, visibilityTimeout: 5000, batchSize: 8, maxDequeueCount: 5, newBatchThreshold: 4 };

interface Step {
  pipeline: string;
  n: number;
}

describe('QueueListener with long steps', () => {
  let azurite: RunningAzurite;

  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it("runs pipeline B's step while pipeline A's long steps hold every batch slot", async () => {
    const service = QueueServiceClient.fromConnectionString(azurite.connectionString);
    const queue = service.getQueueClient('steps');
    await queue.createIfNotExists();
    const started: Step[] = [];
    let finishA!: () => void;
    const aMayFinish = new Promise<void>((resolve) => (finishA = resolve));
    let allAStarted!: () => void;
    const aStarted = new Promise<void>((resolve) => (allAStarted = resolve));
    let bRan!: (step: Step) => void;
    const bDone = new Promise<Step>((resolve) => (bRan = resolve));

    const core = new FunctionsCore();
    core.registerFunction(
      { name: 'releaseSteps', bindings: { step: { type: 'queueTrigger', direction: 'in', queueName: 'steps' } } },
      async (input) => {
        const step = input as Step;
        started.push(step);
        if (step.pipeline === 'b') return bRan(step);
        if (started.filter((s) => s.pipeline === 'a').length === 5) allAStarted();
        await aMayFinish; // evaluating a large holdout
      },
    );
    const logger = createHostLogger({ minLevel: 'none' });
    const listener = new QueueListener(
      core.find('releaseSteps')!,
      queue,
      service.getQueueClient('steps-poison'),
      HOST_QUEUES,
      new FunctionInvoker(core, logger, undefined),
      logger,
      { leaseSeconds: 60, longRunningMs: 200 },
    );
    // Five long steps (more than newBatchThreshold), e.g. five re-drives or five pipelines evaluating.
    for (let n = 0; n < 5; n++) await queue.sendMessage(JSON.stringify({ pipeline: 'a', n }));
    listener.start();
    try {
      await aStarted;
      await queue.sendMessage(JSON.stringify({ pipeline: 'b', n: 0 }));
      await expect(bDone).resolves.toEqual({ pipeline: 'b', n: 0 });
      expect(started.filter((s) => s.pipeline === 'a')).toHaveLength(5);
    } finally {
      finishA();
      await listener.stop();
    }
    // Every message was settled: the long ones deleted when they finished, none redelivered.
    expect((await queue.peekMessages({ numberOfMessages: 32 })).peekedMessageItems).toEqual([]);
    expect(started).toHaveLength(6);
  }, 60_000);
});
