import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { startChildStack, type ChildStack } from '../../../devhost/childStack';
import { freePort } from '../../../devhost/freePort';

jest.setTimeout(180_000);

/**
 * Tests start stacks on ports found free a moment before; on a busy machine another process
 * may take one first (a CI run failed with EADDRINUSE that way). The start tries other ports.
 */
describe('startChildStack when a port is taken between choosing and binding it', () => {
  let squatter: Server;
  let stack: ChildStack | undefined;

  afterAll(async () => {
    await stack?.stop();
    await new Promise<void>((resolve) => squatter?.close(() => resolve()));
  });

  it('starts on other ports instead of failing', async () => {
    const taken = await freePort();
    squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(taken, '127.0.0.1', resolve));
    let calls = 0;
    // The first port handed out (the Functions host's) is the squatted one.
    const pickPort = async () => (calls++ === 0 ? taken : freePort());
    stack = await startChildStack(join(__dirname, '../../../autopilot.yaml'), { pickPort });
    expect(stack.api).not.toContain(`:${taken}/`);
    const releases = await fetch(`${stack.api}/releases`, { headers: { authorization: `Bearer ${stack.token()}` } });
    expect(releases.status).toBe(200);
  });
});
