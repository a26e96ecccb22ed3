// memcache-client (an ASCII-protocol client with its own parser) as a peer of the shared client
// harness, in the harness's adapter contract (../shared/peers/adapters/client/): 4 clients behind
// the same murmur3 % 4 router as its memjs-4 and ioredis-4 adapters; mget is one multi-key
// `get` per node, in parallel.
//
//   cp bench/peers/memcache-client-4.mjs "$HARNESS/adapters/client/"
//   (run from the shardcache checkout's node_modules: see bench/README.md)
import { createRequire } from 'node:module';
import { murmur3 } from '../../lib/common.mjs';

// The harness copy has its own node_modules; memcache-client is installed in shardcache's.
const require = createRequire(process.env.SHARDCACHE_ROOT ? `${process.env.SHARDCACHE_ROOT}/bench/package.json` : import.meta.url);
const { MemcacheClient } = require('memcache-client');
const version = require('memcache-client/package.json').version;

export const enabled = true;
export const meta = { package: 'memcache-client', version, backend: 'memcached', nodes: 4, notes: 'murmur3 % 4 router, per-node multi-key get' };

export default async function create(cfg) {
  const clients = cfg.memcached.slice(0, 4).map((server) => new MemcacheClient({ server }));
  const n = clients.length;
  const pick = (key) => clients[murmur3(key) % n];
  return {
    name: 'memcache-client x4, modulo router',
    get: async (key) => (await pick(key).get(key))?.value ?? null,
    set: (key, value) => pick(key).set(key, value),
    async mget(keys) {
      const groups = Array.from({ length: n }, () => []);
      for (const key of keys) groups[murmur3(key) % n].push(key);
      const found = new Map();
      await Promise.all(
        groups.map(async (group, index) => {
          if (group.length === 0) return;
          const results = await clients[index].get(group);
          for (const key of group) found.set(key, results?.[key]?.value ?? null);
        }),
      );
      return keys.map((key) => found.get(key) ?? null);
    },
    close: async () => {
      for (const client of clients) client.shutdown();
    },
  };
}
