import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import type { Logger } from '../../../shared/ports';
import { LocalEndpointHost, type EndpointRouting } from '../../../adapters/local/inference/endpointHost';
import { isAlive } from '../../support/isAlive';
import { waitFor } from '../../support/waitFor';

/** A fake scoring server: what it does is named by the first path segment of the deployment's url. */
function fakeScoring(seen: { closed: string[]; aborted: string[]; received: string[]; held: ServerResponse[] }): Server {
  const predictions = JSON.stringify({ predictions: [1] });
  const behaviours: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    ok: (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(predictions),
    chunked: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(predictions.slice(0, 5));
      res.end(predictions.slice(5));
    },
    text: (_req, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 }).end('hi'),
    big: (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ predictions: new Array(300_000).fill(1) })),
    hang: (req, res) => res.on('close', () => seen.closed.push(req.url!)),
    half: (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100 });
      res.write('{"predictions"');
      res.on('close', () => seen.closed.push(req.url!));
    },
    gate: (_req, res) => seen.held.push(res),
    trickle: (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(Buffer.alloc(2 * 1024 * 1024, 0x20));
      res.on('close', () => seen.closed.push(req.url!));
    },
    dies: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100 });
      res.write('{"predictions"', () => res.destroy());
    },
  };
  return createServer((req, res) => {
    req.resume();
    req.on('aborted', () => seen.aborted.push(req.url!));
    req.on('end', () => seen.received.push(req.url!));
    req.on('end', () => behaviours[req.url!.split('/')[1]!]!(req, res));
  });
}

function post(
  port: number,
  endpoint: string,
  body = '{"input_data":{"columns":["x"],"data":[[1]]}}',
  headers: Record<string, string> = {},
) {
  return new Promise<{ status: number; text: string; error?: string }>((resolve) => {
    const out = request(`http://127.0.0.1:${port}/endpoints/${endpoint}/score`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
    });
    out.on('response', (answer) => {
      let text = '';
      answer.on('data', (chunk: Buffer) => (text += chunk.toString()));
      answer.on('end', () => resolve({ status: answer.statusCode!, text }));
      answer.on('error', (error) => resolve({ status: answer.statusCode!, text, error: error.message }));
    });
    out.on('error', (error) => resolve({ status: 0, text: '', error: error.message }));
    out.end(body);
  });
}

/** An attacker's and a careless user's view of the router in a process of its own. */
describe('forked endpoint router under abuse', () => {
  let host: LocalEndpointHost;
  let upstream: Server;
  let base: string;
  const seen = { closed: [] as string[], aborted: [] as string[], received: [] as string[], held: [] as ServerResponse[] };
  const logged: string[] = [];
  const logger: Logger = {
    info: (m, p) => logged.push(`info ${m} ${JSON.stringify(p ?? {})}`),
    warn: (m, p) => logged.push(`warn ${m} ${JSON.stringify(p ?? {})}`),
    error: (m, p) => logged.push(`error ${m} ${JSON.stringify(p ?? {})}`),
  };
  const serve = (name: string, behaviour: string, requestTimeoutMs = 60_000): Promise<void> => {
    const routing: EndpointRouting = {
      traffic: { blue: 100 },
      mirrorTraffic: {},
      deployments: { blue: { url: `${base}/${behaviour}`, requestTimeoutMs } },
    };
    host.register({ name, environment: 'dev', routing: () => routing });
    return host.routingChanged(name);
  };

  beforeAll(async () => {
    upstream = fakeScoring(seen);
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    host = new LocalEndpointHost({ port: 0, ownProcess: true, logger });
    await host.start();
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
    upstream?.closeAllConnections();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it('passes on chunked, non-JSON and large answers whole, and counts them', async () => {
    await Promise.all([serve('a-chunked', 'chunked'), serve('a-text', 'text'), serve('a-big', 'big')]);
    const [chunked, text, big] = await Promise.all([post(host.port, 'a-chunked'), post(host.port, 'a-text'), post(host.port, 'a-big')]);
    expect([chunked.status, chunked.text]).toEqual([200, '{"predictions":[1]}']);
    expect([text.status, text.text]).toEqual([200, 'hi']);
    expect([big.status, JSON.parse(big.text).predictions.length]).toEqual([200, 300_000]);
    expect((await host.metrics('a-chunked'))['blue']).toMatchObject({ requests: 1 });
    expect((await host.metrics('a-text'))['blue']).toMatchObject({ requests: 1 });
  });

  it('answers 504 to a caller whose scoring server hangs, and hangs up on the server', async () => {
    await serve('a-hang', 'hang', 300);
    const answer = await post(host.port, 'a-hang');
    expect(answer.status).toBe(504);
    await waitFor('the hung scoring request to be aborted', () => seen.closed.includes('/hang/score'));
  });

  it('answers 504 when the server stalls mid-answer (hanging up on it), 502 when it dies mid-answer', async () => {
    await Promise.all([serve('a-half', 'half', 300), serve('a-dies', 'dies')]);
    const [half, dies] = await Promise.all([post(host.port, 'a-half'), post(host.port, 'a-dies')]);
    expect([half.status, dies.status]).toEqual([504, 502]);
    await waitFor('the stalled answer to be aborted', () => seen.closed.includes('/half/score'));
    expect((await host.metrics('a-dies'))['blue']).toMatchObject({ requests: 1 });
  });

  it('answers 504 after request_timeout_ms to a caller that sent less than its content-length', async () => {
    await serve('a-short', 'ok', 300);
    const socket = connect(host.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.write('POST /endpoints/a-short/score HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":');
    try {
      await waitFor('an answer to the short request', () => (received.includes('\r\n\r\n') ? received : undefined), { timeoutMs: 20_000 });
      expect(received).toMatch(/^HTTP\/1.1 504/);
    } finally {
      socket.destroy();
    }
  });

  it('aborts the scoring request of a caller that hangs up while streaming a large request', async () => {
    await serve('a-upload', 'ok');
    const out = request(`http://127.0.0.1:${host.port}/endpoints/a-upload/score`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': 4 * 1024 * 1024 },
    });
    out.on('error', () => undefined);
    out.write(Buffer.alloc(1024 * 1024, 0x20), () => out.destroy());
    await waitFor('the upstream request to be cut off', () => seen.closed.includes('/ok/score') || seen.aborted.includes('/ok/score'));
  });

  it('answers 502 at once to a large request whose server is gone', async () => {
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(gone.address() as AddressInfo).port}`;
    await new Promise((resolve) => gone.close(resolve));
    const routing: EndpointRouting = {
      traffic: { blue: 100 },
      mirrorTraffic: {},
      deployments: { blue: { url, requestTimeoutMs: 60_000 } },
    };
    host.register({ name: 'a-gone', environment: 'dev', routing: () => routing });
    await host.routingChanged('a-gone');
    const answer = await post(host.port, 'a-gone', JSON.stringify({ input_data: { columns: ['x'], data: new Array(400_000).fill([1]) } }));
    expect(answer.status).toBe(502);
  });

  it('fails to start with a clear error when its port is taken', async () => {
    const other = new LocalEndpointHost({ port: host.port, ownProcess: true });
    await expect(other.start()).rejects.toThrow(new RegExp(`port ${host.port}.*EADDRINUSE`));
    await other.stop();
  });

  it('applies a routing change made while the router is killed, once it is back', async () => {
    let routing: EndpointRouting = {
      traffic: { blue: 100 },
      mirrorTraffic: {},
      deployments: { blue: { url: `${base}/ok`, requestTimeoutMs: 60_000 } },
    };
    host.register({ name: 'a-race', environment: 'dev', routing: () => routing });
    await host.routingChanged('a-race');
    process.kill(host.routerPid!, 'SIGKILL');
    routing = { ...routing, traffic: { green: 100 }, deployments: { green: { url: `${base}/text`, requestTimeoutMs: 60_000 } } };
    await host.routingChanged('a-race');
    const answer = await post(host.port, 'a-race');
    expect([answer.status, answer.text]).toEqual([200, 'hi']);
  });

  it("does not count a caller's hang-up as the deployment's error", async () => {
    await serve('a-hangup', 'hang/up');
    const out = request(`http://127.0.0.1:${host.port}/endpoints/a-hangup/score`, { method: 'POST', agent: false });
    out.on('error', () => undefined);
    out.end('{}');
    await waitFor('the request to reach the scoring server', () => seen.received.includes('/hang/up/score'));
    out.destroy();
    await waitFor('the scoring request to be aborted', () => seen.closed.includes('/hang/up/score'));
    const metrics = await waitFor('the hang-up to be counted', async () => (await host.metrics('a-hangup'))['blue']);
    expect([metrics.requests, metrics.errors, metrics.statuses]).toEqual([1, 0, { 499: 1 }]);
  });

  it('finishes a request in flight while requests to hundreds of other scoring servers come and go', async () => {
    await serve('a-held', 'gate');
    const held = post(host.port, 'a-held');
    await waitFor('the held request to reach its server', () => seen.held.length === 1);
    const names = Array.from({ length: 260 }, (_, i) => `d${i}`);
    const routing: EndpointRouting = {
      traffic: {},
      mirrorTraffic: {},
      deployments: Object.fromEntries(names.map((name) => [name, { url: `${base}/ok/${name}`, requestTimeoutMs: 60_000 }])),
    };
    host.register({ name: 'a-many', environment: 'dev', routing: () => routing });
    await host.routingChanged('a-many');
    for (let i = 0; i < names.length; i += 20) {
      const answers = await Promise.all(
        names.slice(i, i + 20).map((name) => post(host.port, 'a-many', undefined, { 'azureml-model-deployment': name })),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    }
    seen.held[0]!.writeHead(200, { 'content-type': 'application/json' }).end('{"predictions":[2]}');
    expect(await held).toEqual({ status: 200, text: '{"predictions":[2]}' });
  });

  it('counts every request exactly while traffic changes under requests in flight', async () => {
    const deployments = {
      blue: { url: `${base}/ok`, requestTimeoutMs: 60_000 },
      green: { url: `${base}/chunked`, requestTimeoutMs: 60_000 },
    };
    let routing: EndpointRouting = { traffic: { blue: 100 }, mirrorTraffic: {}, deployments };
    host.register({ name: 'a-count', environment: 'dev', routing: () => routing });
    await host.routingChanged('a-count');
    const flips = ([{ green: 100 }, { blue: 50, green: 50 }, { blue: 100 }] as Record<string, number>[]).map(async (traffic) => {
      routing = { ...routing, traffic };
      await host.routingChanged('a-count');
    });
    const answers = await Promise.all([...Array.from({ length: 60 }, () => post(host.port, 'a-count')), ...flips]);
    const metrics = await host.metrics('a-count');
    const served = answers.filter((a) => a && a.status === 200).length;
    expect([served, (metrics['blue']?.requests ?? 0) + (metrics['green']?.requests ?? 0)]).toEqual([60, 60]);
  });

  it('refuses deployment names from Object.prototype as not found, and counts no phantom deployment', async () => {
    await serve('a-proto', 'ok');
    const answers = await Promise.all(
      ['toString', 'constructor', '__proto__'].map((name) => post(host.port, 'a-proto', undefined, { 'azureml-model-deployment': name })),
    );
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404]);
    expect(Object.keys(await host.metrics('a-proto'))).toEqual([]);
  });

  it('aborts a large streamed answer whose caller hangs up mid-answer, and counts it as a hang-up', async () => {
    await serve('a-trickle', 'trickle');
    await new Promise<void>((resolve) => {
      const out = request(`http://127.0.0.1:${host.port}/endpoints/a-trickle/score`, { method: 'POST', agent: false });
      out.on('response', (answer) => answer.once('data', () => (out.destroy(), resolve())));
      out.on('error', () => undefined);
      out.end('{}');
    });
    await waitFor('the trickling answer to be aborted', () => seen.closed.includes('/trickle/score'));
    const metrics = await waitFor('the hang-up to be counted', async () => (await host.metrics('a-trickle'))['blue']);
    expect([metrics.requests, metrics.errors, metrics.statuses]).toEqual([1, 0, { 499: 1 }]);
  });

  it('refuses a routing push it cannot read at once, naming what is wrong', async () => {
    const routing: EndpointRouting = {
      traffic: { blue: 100 },
      mirrorTraffic: {},
      deployments: { blue: { url: `${base}/ok`, requestTimeoutMs: 0 } },
    };
    host.register({ name: 'a-refused', environment: 'dev', routing: () => routing });
    await expect(host.routingChanged('a-refused')).rejects.toThrow(/refused.*requestTimeoutMs/s);
  });

  it('starts again serving every other endpoint when one endpoint routing is unreadable', async () => {
    await serve('a-neighbour', 'ok');
    expect(host.routingOf('a-refused')).toBeDefined();
    const killed = host.routerPid!;
    process.kill(killed, 'SIGKILL');
    const answer = await waitFor('the other endpoint to answer again', async () => {
      const a = await post(host.port, 'a-neighbour');
      return a.status === 200 ? a : undefined;
    });
    expect(answer.text).toBe('{"predictions":[1]}');
  });

  it('comes back when killed twice quickly (the second time while it restarts)', async () => {
    await serve('a-kill', 'ok');
    const first = host.routerPid!;
    process.kill(first, 'SIGKILL');
    const second = await waitFor('a new router process', () => (host.routerPid !== first ? host.routerPid : undefined));
    process.kill(second!, 'SIGKILL');
    const answer = await waitFor('the endpoint to answer again', async () => {
      const a = await post(host.port, 'a-kill');
      return a.status === 200 ? a : undefined;
    });
    expect(answer.text).toBe('{"predictions":[1]}');
  });
});

describe('forked endpoint router and the storage secret', () => {
  const key = Buffer.from('the-storage-secret').toString('base64');

  it('holds no storage secret: none on its command line nor in its environment', async () => {
    const saved = process.env['AzureWebJobsStorage'];
    process.env['AzureWebJobsStorage'] = `DefaultEndpointsProtocol=http;AccountName=a;AccountKey=${key};BlobEndpoint=http://127.0.0.1:1/a;`;
    const host = new LocalEndpointHost({ port: 0, ownProcess: true });
    try {
      await host.start();
      const cmdline = readFileSync(`/proc/${host.routerPid}/cmdline`, 'utf8');
      expect(cmdline).toContain('routerProcess');
      expect(cmdline).not.toContain(key);
      expect(readFileSync(`/proc/${host.routerPid}/environ`, 'utf8')).not.toContain(key);
    } finally {
      await host.stop();
      if (saved === undefined) delete process.env['AzureWebJobsStorage'];
      else process.env['AzureWebJobsStorage'] = saved;
    }
  });
});

describe('forked endpoint router stopped while it restarts', () => {
  it('stops the restarting router and starts no other', async () => {
    const host = new LocalEndpointHost({ port: 0, ownProcess: true });
    await host.start();
    const first = host.routerPid!;
    process.kill(first, 'SIGKILL');
    const second = await waitFor('a new router process', () => (host.routerPid !== first ? host.routerPid : undefined));
    await host.stop();
    await waitFor('the restarted router to exit', () => !isAlive(second!));
    expect(host.routerPid).toBeUndefined();
  });
});

describe('forked endpoint router that stops answering', () => {
  it('fails calls with a clear error rather than hang, and answers again once it resumes', async () => {
    const host = new LocalEndpointHost({ port: 0, ownProcess: true, routerCallTimeoutMs: 1000 });
    await host.start();
    const pid = host.routerPid!;
    process.kill(pid, 'SIGSTOP');
    try {
      await expect(host.metrics('any')).rejects.toThrow(/router process did not answer metrics within 1 s/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await expect(host.metrics('any')).resolves.toEqual({});
    await host.stop();
  });
});
