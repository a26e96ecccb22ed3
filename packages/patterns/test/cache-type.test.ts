// Type-level: a ShardedClient is a Cache as it is, and ioredis connections fit the bus's
// structural interfaces, so no adapter is ever needed. Checked by tsc (-b test) and vitest.
import type { ShardedClient } from '@shardcache/client';
import type { Redis } from 'ioredis';
import { expectTypeOf, it } from 'vitest';
import type { Cache, RedisPublisher, RedisSubscriber } from '../src/index.js';

it('accepts a ShardedClient wherever a Cache is expected', () => {
  expectTypeOf<ShardedClient>().toExtend<Cache>();
  const accept = (cache: Cache): Cache => cache;
  expectTypeOf(accept).parameter(0).toEqualTypeOf<Cache>();
  // The assignment itself, spelled out: this line fails to compile if the client drifts.
  const check = (client: ShardedClient): Cache => client;
  expectTypeOf(check).returns.toEqualTypeOf<Cache>();
});

it('accepts ioredis connections as the invalidation bus publisher and subscriber', () => {
  expectTypeOf<Redis>().toExtend<RedisPublisher>();
  expectTypeOf<Redis>().toExtend<RedisSubscriber>();
});
