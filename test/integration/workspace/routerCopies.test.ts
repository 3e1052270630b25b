import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EndpointRouting } from '../../../adapters/local/inference/endpointRouting';
import { RouterCore } from '../../../adapters/local/inference/routerCore';
import type { CollectionSink } from '../../../adapters/local/inference/routerControl';
import type { ScoredExchange } from '../../../shared/monitoring/toInferenceRecords';
import { waitFor } from '../../support/waitFor';

/** A scoring server that counts the bytes of each request it got; `answerWhen` holds its answers. */
interface CountingServer {
  server: Server;
  url: string;
  sizes: number[];
  answerWhen: Promise<void>;
}

async function countingServer(answerWhen: Promise<void> = Promise.resolve()): Promise<CountingServer> {
  const sizes: number[] = [];
  const server = createServer((req, res) => {
    let size = 0;
    req.on('data', (chunk: Buffer) => (size += chunk.length));
    req.on('end', () => {
      sizes.push(size);
      void answerWhen.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"predictions":[1]}'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sizes, answerWhen };
}

/** Our own port (not an SDK): keeps what the router hands on for collection. */
class KeepingSink implements CollectionSink {
  readonly exchanges: ScoredExchange[] = [];
  collects(): boolean {
    return true;
  }
  collect(exchange: ScoredExchange): void {
    this.exchanges.push(exchange);
  }
  async flushWithin(): Promise<void> {}
  async stop(): Promise<void> {}
}

const SMALL = 10_000;
const LARGE = 3 * 1024 * 1024; // over the router's 1 MiB inspection limit: streamed, not kept for collection

/**
 * The router reads a request once and feeds both the live deployment and the copy for mirrors,
 * the shadow and collection: each must get the whole body on every path (small or streamed,
 * live server down, caller gone before the answer).
 */
describe('request copies through the router', () => {
  let live: CountingServer;
  let mirror: CountingServer;
  let held: CountingServer;
  let release: () => void = () => {};
  const sink = new KeepingSink();
  const router = new RouterCore({ port: 0, rng: () => 0, collector: sink });
  let port: number;
  const model = { name: 'm', version: 1 };

  const route = (name: string, routing: Partial<EndpointRouting> & Pick<EndpointRouting, 'deployments'>) =>
    router.setEndpoint({ name, environment: 'prod', routing: { traffic: { live: 100 }, mirrorTraffic: {}, ...routing } });

  /** POSTs `size` bytes; with `hangUp`, destroys the request once `hangUp()` says the deployment got it. */
  const post = (endpoint: string, size: number, hangUp?: () => boolean): Promise<number> =>
    new Promise((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: `/endpoints/${endpoint}/score`,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': String(size) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(Buffer.alloc(size, 'a'));
      if (hangUp)
        void waitFor('the deployment to get the request', hangUp).then(() => {
          req.destroy();
          resolve(-1);
        });
    });

  beforeAll(async () => {
    live = await countingServer();
    mirror = await countingServer();
    held = await countingServer(new Promise((resolve) => (release = resolve)));
    port = await router.start();
  });

  afterAll(async () => {
    release();
    await router.stop();
    for (const { server } of [live, mirror, held]) await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    for (const { sizes } of [live, mirror, held]) sizes.length = 0;
    sink.exchanges.length = 0;
  });

  it.each([
    ['small', SMALL],
    ['streamed', LARGE],
  ])('a %s request reaches the live deployment and its mirror whole, and is collected', async (_, size) => {
    await route('e', {
      mirrorTraffic: { mirror: 100 },
      deployments: { live: { url: live.url, requestTimeoutMs: 5000, model }, mirror: { url: mirror.url, requestTimeoutMs: 5000, model } },
    });
    expect(await post('e', size)).toBe(200);
    await waitFor('the mirror copy', () => mirror.sizes.length === 1);
    expect(live.sizes).toEqual([size]);
    expect(mirror.sizes).toEqual([size]);
    await router.collectionStats();
    expect(sink.exchanges).toHaveLength(1);
    expect(sink.exchanges[0]!.request?.length).toBe(size === SMALL ? SMALL : undefined);
  });

  it.each([
    ['small', SMALL],
    ['streamed', LARGE],
  ])('with the live server down, the shadow still gets a %s request whole', async (_, size) => {
    await route('shadowed', { deployments: { d: { url: mirror.url, requestTimeoutMs: 5000 } }, traffic: { d: 100 } });
    await route('e', {
      deployments: { live: { url: undefined, requestTimeoutMs: 5000, model } },
      shadow: { endpoint: 'shadowed', deployment: 'd', percent: 100 },
    });
    expect(await post('e', size)).toBe(502);
    await waitFor('the shadow copy', () => mirror.sizes.length === 1);
    expect(mirror.sizes).toEqual([size]);
  });

  it.each([
    ['small', SMALL],
    ['streamed', LARGE],
  ])('a caller that hangs up before its answer still has its %s request mirrored whole', async (_, size) => {
    await route('e', {
      mirrorTraffic: { mirror: 100 },
      deployments: { live: { url: held.url, requestTimeoutMs: 5000, model }, mirror: { url: mirror.url, requestTimeoutMs: 5000, model } },
    });
    expect(await post('e', size, () => held.sizes.length === 1)).toBe(-1);
    await waitFor('the mirror copy', () => mirror.sizes.length === 1);
    expect(mirror.sizes).toEqual([size]);
  });
});
