import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** bench/minimalProxy.ts in a process of its own (as the router and the scoring server are), once it listens. */
export async function startMinimalProxy(targetUrl: string): Promise<{ url: string; pid: number; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'minimalProxy.ts'), targetUrl], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`bench: the minimal proxy exited (${code}) before listening`))),
  );
  const listening = (async () => {
    for await (const line of createInterface({ input: child.stdout! })) {
      const port = /^LISTENING (\d+)$/.exec(line)?.[1];
      if (port) return `http://127.0.0.1:${port}/score`;
    }
    throw new Error('bench: the minimal proxy closed its output before listening');
  })();
  try {
    return { url: await Promise.race([listening, exited]), pid: child.pid!, stop: () => void child.kill() };
  } catch (error) {
    child.kill();
    throw error;
  }
}
