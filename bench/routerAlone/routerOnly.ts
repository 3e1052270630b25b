/**
 * The router core alone in a process of its own (no stack, no host), one endpoint `e` at 100 % to
 * argv[2]; with argv[3] = `collect` it packs answered requests for collection and drops them.
 */
import { CollectionRelay } from '../../adapters/local/inference/collectionRelay';
import { RouterCore } from '../../adapters/local/inference/routerCore';
const upstream = process.argv[2]!;
const collect = process.argv[3] === 'collect';
const relay = collect ? new CollectionRelay(['prod'], () => {}) : undefined;
const core = new RouterCore({ port: 0, ...(relay ? { collector: relay } : {}) });
void (async () => {
  await core.setEndpoint({
    name: 'e',
    environment: 'prod',
    routing: {
      traffic: { blue: 100 },
      mirrorTraffic: {},
      deployments: { blue: { url: upstream, requestTimeoutMs: 5000, model: { name: 'm', version: 1 } } },
    },
  });
  console.log(`LISTENING ${await core.start()}`);
})();
process.on('SIGTERM', () => process.exit(0));
