import { BadRequestError } from '../../../shared/errors';
import type { LoadRequest } from '../../../shared/ports';
import { LoadGenerator } from '../../../adapters/load/loadGenerator';
import { MAX_LOAD_RPS, toLoadSettings } from '../../../adapters/load/loadSettings';
import { MAX_IN_FLIGHT } from '../../../adapters/load/syntheticLoad';
import { mulberry32 } from '../../../shared/data/split';

/** A fake transport that records each request and answers when told to. */
class FakeSend {
  readonly calls: { endpoint: string; deployment: string | undefined; body: { input_data: { columns: string[]; data: unknown[][] } } }[] =
    [];
  private readonly pending: ((answer: { status: number; deployment?: string }) => void)[] = [];
  autoAnswer = true;

  send = (endpoint: string, deployment: string | undefined, body: string): Promise<{ status: number; deployment?: string }> => {
    this.calls.push({ endpoint, deployment, body: JSON.parse(body) });
    // Unaimed requests are answered by "blue", as if the endpoint's traffic were all on it.
    const answer = { status: 200, deployment: deployment ?? 'blue' };
    if (this.autoAnswer) return Promise.resolve(answer);
    return new Promise((resolve) => this.pending.push(resolve));
  };

  answerAll(status = 200): void {
    for (const answer of this.pending.splice(0)) answer({ status });
  }
}

const START = Date.parse('2025-01-01T00:00:00.000Z');
const request = (overrides: Partial<LoadRequest> = {}): LoadRequest => ({
  id: 'release-1',
  endpoint: 'm-prod',
  deployments: ['blue', 'green'],
  request: {
    input_data: {
      columns: ['a', 'b'],
      data: [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    },
  },
  requestsPerSecond: 20,
  until: new Date(START + 10_000).toISOString(),
  ...overrides,
});

describe('LoadGenerator', () => {
  let fake: FakeSend;
  let loads: LoadGenerator;

  beforeEach(() => {
    jest.useFakeTimers({ now: START });
    fake = new FakeSend();
    loads = new LoadGenerator(fake.send, () => Date.now(), mulberry32(5));
  });
  afterEach(() => {
    loads.stopAll();
    jest.useRealTimers();
  });

  it('sends one row per request at the requested rate, to the named deployments', async () => {
    loads.ensure('dev/release-1', toLoadSettings(request()));
    await jest.advanceTimersByTimeAsync(999);
    expect(fake.calls).toHaveLength(20);
    for (const call of fake.calls) {
      expect(call.endpoint).toBe('m-prod');
      expect(['blue', 'green']).toContain(call.deployment);
      expect(call.body.input_data.columns).toEqual(['a', 'b']);
      expect([[[1, 2]], [[3, 4]], [[5, 6]]]).toContainEqual(call.body.input_data.data);
    }
    await jest.advanceTimersByTimeAsync(4_000);
    const status = loads.status('dev/release-1')!;
    expect(status).toMatchObject({ running: true, sent: 100, completed: 100, errors: 0, skipped: 0 });
    expect(status.answeredBy['blue']! + status.answeredBy['green']!).toBe(100);
  });

  it('sends exactly the requests due before `until`, however late its timers fire', async () => {
    // 5/s for 2 s: requests due at 0, 200, …, 1800 ms. One wake-up, late at 5 s, sends the 9 still due.
    const clock = { ms: START };
    const late = new LoadGenerator(fake.send, () => clock.ms, mulberry32(5));
    late.ensure('k', toLoadSettings(request({ requestsPerSecond: 5, until: new Date(START + 2_000).toISOString() })));
    expect(fake.calls).toHaveLength(1);
    clock.ms = START + 5_000;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(late.status('k')).toMatchObject({ running: false, sent: 10, skipped: 0 });
  });

  it('stops by itself at `until`', async () => {
    loads.ensure('dev/release-1', toLoadSettings(request({ until: new Date(START + 2_000).toISOString() })));
    await jest.advanceTimersByTimeAsync(5_000);
    expect(fake.calls).toHaveLength(40);
    expect(loads.status('dev/release-1')!.running).toBe(false);
  });

  it('updates a running load in place when ensured again with the same id', async () => {
    loads.ensure('dev/release-1', toLoadSettings(request()));
    await jest.advanceTimersByTimeAsync(999);
    const before = fake.calls.length;
    loads.ensure('dev/release-1', toLoadSettings(request({ requestsPerSecond: 5, deployments: ['green'] })));
    await jest.advanceTimersByTimeAsync(1_999);
    // One loop at the new rate: 10 requests in 2 s, not 10 + 40.
    expect(fake.calls.length - before).toBe(10);
    expect(new Set(fake.calls.slice(before).map((c) => c.deployment))).toEqual(new Set(['green']));
  });

  it('sends nothing more once stopped', async () => {
    loads.ensure('dev/release-1', toLoadSettings(request()));
    await jest.advanceTimersByTimeAsync(500);
    loads.stop('dev/release-1');
    const sent = fake.calls.length;
    await jest.advanceTimersByTimeAsync(5_000);
    expect(fake.calls).toHaveLength(sent);
    expect(loads.status('dev/release-1')!.running).toBe(false);
  });

  it('skips due requests, and counts them, while MAX_IN_FLIGHT requests are unanswered', async () => {
    fake.autoAnswer = false;
    loads.ensure('dev/release-1', toLoadSettings(request({ requestsPerSecond: 100 })));
    await jest.advanceTimersByTimeAsync(999);
    expect(fake.calls).toHaveLength(MAX_IN_FLIGHT);
    expect(loads.status('dev/release-1')).toMatchObject({ inFlight: MAX_IN_FLIGHT, skipped: 100 - MAX_IN_FLIGHT });
    fake.answerAll(503);
    await jest.advanceTimersByTimeAsync(100);
    expect(loads.status('dev/release-1')).toMatchObject({ completed: MAX_IN_FLIGHT, errors: MAX_IN_FLIGHT });
    expect(fake.calls.length).toBeGreaterThan(MAX_IN_FLIGHT);
  });

  it('leaves the deployment to the endpoint traffic weights when none is named', async () => {
    loads.ensure('dev/release-1', toLoadSettings(request({ deployments: [] })));
    await jest.advanceTimersByTimeAsync(499);
    expect(fake.calls.map((c) => c.deployment)).toEqual(Array(10).fill(undefined));
    expect(loads.status('dev/release-1')!.answeredBy).toEqual({ blue: 10 });
  });

  it('stops only the loads under a key prefix', async () => {
    loads.ensure('dev/a', toLoadSettings(request({ id: 'a' })));
    loads.ensure('prod/a', toLoadSettings(request({ id: 'a' })));
    loads.stopAll('dev/');
    expect(loads.status('dev/a')!.running).toBe(false);
    expect(loads.status('prod/a')!.running).toBe(true);
  });
});

describe('toLoadSettings', () => {
  it('refuses rates above the bound with a message that names the bound', () => {
    expect(() => toLoadSettings(request({ requestsPerSecond: MAX_LOAD_RPS + 1 }))).toThrow(BadRequestError);
    expect(() => toLoadSettings(request({ requestsPerSecond: MAX_LOAD_RPS + 1 }))).toThrow(
      /requestsPerSecond.*at most 500 requests per second/,
    );
    expect(() => toLoadSettings(request({ requestsPerSecond: 0 }))).toThrow(/more than 0/);
  });

  it('refuses a load without rows or a valid end time', () => {
    expect(() => toLoadSettings(request({ request: { input_data: { columns: ['a'], data: [] } } }))).toThrow(/at least one row/);
    expect(() => toLoadSettings(request({ until: 'soon' }))).toThrow(/load\.until: .*ISO time/);
  });
});
