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
      if (this.upstreams.size >= MAX_POOLS) void this.close();
      const parsed = new URL(`${url}/score`);
      upstream = { pool: new Pool(parsed.origin, { connections: this.connections }), path: parsed.pathname };
      this.upstreams.set(url, upstream);
    }
    return upstream;
  }

  /** Closes every connection (at stop, or to start afresh past the bound). */
  async close(): Promise<void> {
    const pools = [...this.upstreams.values()].map((u) => u.pool);
    this.upstreams.clear();
    await Promise.all(pools.map((pool) => pool.destroy().catch(() => undefined)));
  }
}
