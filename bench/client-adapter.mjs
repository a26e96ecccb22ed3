// Plugs ShardedClient into the shared peer harness (../shared/peers/client-bench.mjs), so it
// is measured against ioredis, memjs and the memcached package in the same run.
// Contract: ../shared/peers/adapters/client/candidate.mjs. Imports the built package (npm run build).
//
//   CANDIDATE_CLIENT=$PWD/bench/client-adapter.mjs CANDIDATE_BACKEND=redis node client-bench.mjs
//
// CANDIDATE_CLIENT_OPTS is JSON merged into the client options: memcached runs on the default
// meta-protocol node; '{"connection":{"memcachedDriver":"memjs"}}' measures the memjs node.
import { ShardedClient } from '@shardcache/client';

export async function createBenchClient(cfg) {
  const backend = cfg.backend === 'redis' ? 'redis' : 'memcached';
  const opts = cfg.opts ?? {};
  // The peers send SET key value with no expiry: so does the client here, to send the same
  // command ('{"defaultTtl":3600}' in CANDIDATE_CLIENT_OPTS measures SET ... EX 3600).
  const client = new ShardedClient({ backend, nodes: cfg[backend], defaultTtl: 'never', ...opts });
  await client.ping();
  const driver = backend === 'memcached' ? ` (${opts.connection?.memcachedDriver ?? 'meta'} node)` : '';
  return {
    name: `shardcache ShardedClient x${cfg[backend].length} ${backend}${driver}`,
    get: async (key) => (await client.get(key)) ?? null,
    set: (key, value) => client.set(key, value),
    mget: async (keys) => {
      const { values, failures } = await client.getMany(keys);
      if (failures.length > 0) throw failures[0].error;
      return values.map((value) => value ?? null);
    },
    close: () => client.close(),
  };
}
