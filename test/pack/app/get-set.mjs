// The README's first steps against a real server: one memcached from @shardcache/chaos on a free
// loopback port (its PID recorded in SHARDCACHE_PID_LOG when set), a set and a get through
// ShardedClient, then everything stopped. Prints what was read, as JSON.
import { startFleet } from '@shardcache/chaos';
import { ShardedClient } from '@shardcache/client';

const fleet = await startFleet({ memcached: 1, proxy: false });
try {
  const addresses = fleet.memcached.map((server) => server.address);
  const cache = new ShardedClient({ backend: 'memcached', nodes: addresses });
  try {
    await cache.set('packed:user:1', { name: 'Ada' }, { ttl: 60 });
    console.log(JSON.stringify({ value: await cache.get('packed:user:1'), node: cache.locate('packed:user:1'), addresses }));
  } finally {
    await cache.close();
  }
} finally {
  await fleet.stop();
}
