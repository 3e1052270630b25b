import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Logger, ScoreRequest } from '../../../shared/ports';
import type { LocalEndpointHost, LocalMlWorkspace } from '../../../adapters/local/workspace';
import { isAlive } from '../../support/isAlive';
import { startLocalProdEndpoint, type LocalProdEndpoint } from '../../support/localProdEndpoint';
import { waitFor } from '../../support/waitFor';

const fixtures = join(__dirname, '../../fixtures/workspace/scoring');
const oneRow = { input_data: { columns: ['x'], data: [[1]] } } satisfies ScoreRequest;

/** The router in a process of its own: routing changes apply when the call returns, a crash is survived, no router outlives its host. */
describe('endpoint router in a process of its own', () => {
  let stack: LocalProdEndpoint;
  let host: LocalEndpointHost;
  let prod: LocalMlWorkspace;
  const logged: string[] = [];
  const logger: Logger = {
    info: (m) => logged.push(`info ${m}`),
    warn: (m) => logged.push(`warn ${m}`),
    error: (m) => logged.push(`error ${m}`),
  };

  beforeAll(async () => {
    stack = await startLocalProdEndpoint({
      tmpPrefix: 'router-process-',
      host: { ownProcess: true, logger },
      model: { name: 'rp' },
      endpoint: 'rp-prod',
      deployments: { blue: join(fixtures, 'deployment-class-a.yaml'), green: join(fixtures, 'deployment-class-b.yaml') },
    });
    ({ host, prod } = stack);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('serves from another process, and a traffic change is in effect for the very next request', async () => {
    expect(host.routerPid).toEqual(expect.any(Number));
    expect(host.routerPid).not.toBe(process.pid);
    for (const [traffic, expected] of [
      [{ blue: 100, green: 0 }, 'blue'],
      [{ blue: 0, green: 100 }, 'green'],
      [{ blue: 100, green: 0 }, 'blue'],
    ] as const) {
      await prod.endpoints.setTraffic('rp-prod', traffic);
      const answer = await prod.scoring.invokeEndpoint('rp-prod', oneRow);
      expect([answer.status, answer.deployment]).toEqual([200, expected]);
    }
    const metrics = await host.metrics('rp-prod');
    expect([metrics['blue']?.requests, metrics['green']?.requests]).toEqual([2, 1]);
  });

  it('is started again on the same port when it dies, with the routing it had', async () => {
    await prod.endpoints.setTraffic('rp-prod', { blue: 0, green: 100 });
    const killed = host.routerPid!;
    const port = host.port;
    process.kill(killed, 'SIGKILL');
    await waitFor('a new router process', () => (host.routerPid !== undefined && host.routerPid !== killed ? true : undefined));
    const answer = await waitFor('the endpoint to answer again', async () => {
      const a = await prod.scoring.invokeEndpoint('rp-prod', oneRow);
      return a.status === 200 ? a : undefined;
    });
    expect(answer.deployment).toBe('green');
    expect(host.port).toBe(port);
    expect(logged.find((line) => line.startsWith('error ') && line.includes('exited unexpectedly'))).toMatch(/SIGKILL.*starting it again/);
    // Counts start afresh with the new process, and are exact again.
    await prod.scoring.invokeEndpoint('rp-prod', oneRow);
    expect((await host.metrics('rp-prod'))['green']?.requests).toBe(2);
  });

  it('exits when its host dies without stopping it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../fixtures/router/hostThenDie.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const routerPid = await waitFor('the router pid', () => {
      const match = /ROUTER (\d+)/.exec(output);
      return match ? Number(match[1]) : undefined;
    });
    expect(isAlive(routerPid)).toBe(true);
    child.kill('SIGKILL');
    await waitFor('the orphaned router to exit', () => (isAlive(routerPid) ? undefined : true));
  });
});
