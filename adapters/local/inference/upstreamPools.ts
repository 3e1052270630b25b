import { Pool } from 'undici';

/** A scoring server's pool of keep-alive connections and the path of its `/score`. */
export interface Upstream {
  pool: Pool;
  path: string;
}

/** Servers restart on new ports now and then; a bound keeps a long-lived router's pools few. */
const MAX_POOLS = 256;

/**
 * Keep-alive connections to the scoring servers, one undici Pool per server. undici rather
 * than node:http's client: the router's own CPU per request is what bench §6 holds against a
 * bare proxy, and node:http's client side (a ClientRequest, its sockets' listeners, a
 * response IncomingMessage per request) was most of it; undici's costs about 40 µs less.
 */
export class UpstreamPools {
  private readonly upstreams = new Map<string, Upstream>();

  constructor(private readonly connections = 64) {}

  /** The upstream of a server's base URL (`http://host:port`), made on first use. */
  of(url: string): Upstream {
    let upstream = this.upstreams.get(url);
    if (!upstream) {
      if (this.upstreams.size >= MAX_POOLS) this.evictOldest();
      const parsed = new URL(`${url}/score`);
      upstream = { pool: new Pool(parsed.origin, { connections: this.connections }), path: parsed.pathname };
      this.upstreams.set(url, upstream);
    }
    return upstream;
  }

  /**
   * Past the bound, the oldest pool goes, gracefully: pool.close() lets the requests it has
   * (in flight or queued) finish; destroying it failed them with a 502 for no fault of theirs.
   */
  private evictOldest(): void {
    const [url, oldest] = this.upstreams.entries().next().value!;
    this.upstreams.delete(url);
    void oldest.pool.close().catch(() => undefined);
  }

  /** Closes every connection (at stop). */
  async close(): Promise<void> {
    const pools = [...this.upstreams.values()].map((u) => u.pool);
    this.upstreams.clear();
    await Promise.all(pools.map((pool) => pool.destroy().catch(() => undefined)));
  }
}
