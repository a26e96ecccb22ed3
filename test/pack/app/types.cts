// The same packages from a CommonJS module under `module: nodenext` (TypeScript >= 5.8 types
// require(esm) there, as Node >= 20.19 runs it).
import client = require('@shardcache/client');
import ring = require('@shardcache/ring');

const owner: string = ring.ketamaRing(['127.0.0.1:11211']).locate('user:1');
const cache = new client.ShardedClient({ backend: 'redis', nodes: [owner] });
// @ts-expect-error: the backend is 'memcached' or 'redis'
new client.ShardedClient({ backend: 'mongodb', nodes: [owner] });

export = cache;
