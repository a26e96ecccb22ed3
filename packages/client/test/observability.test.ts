// What a client tells the outside: traces (never values, keys only when asked), events, typed
// multi-key failures, and the node factory hook.
import { randomBytes } from 'node:crypto';
import { tracingChannel, subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetNode } from '@shardcache/chaos';
import { ShardedClient, type CacheNode, type StoredItem } from '../src/index.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 2, redis: 2 });
});
afterAll(() => fleet.stop());

const redisNodes = (): string[] => fleet.redis.map((server) => server.address);

describe('diagnostics_channel tracing', () => {
  it('traces every command with its node, keys only when opted in, never values', async () => {
    const seen: Record<string, unknown>[] = [];
    const handlers = { start: (message: unknown) => void seen.push({ ...(message as Record<string, unknown>) }), end: () => undefined, asyncStart: () => undefined, asyncEnd: () => undefined, error: () => undefined };
    const channel = tracingChannel('shardcache:command');
    channel.subscribe(handlers);
    const quiet = new ShardedClient({ backend: 'redis', nodes: redisNodes() });
    const loud = new ShardedClient({ backend: 'redis', nodes: redisNodes(), traceKeys: true });
    try {
      await quiet.set('traced:1', 'secret value');
      await quiet.get('traced:1');
      await loud.get('traced:1');
    } finally {
      channel.unsubscribe(handlers);
      await Promise.all([quiet.close(), loud.close()]);
    }
    expect(seen.map(({ command, node }) => ({ command, node }))).toEqual([
      { command: 'set', node: quiet.locate('traced:1') },
      { command: 'get', node: quiet.locate('traced:1') },
      { command: 'get', node: loud.locate('traced:1') },
    ]);
    expect(seen.map((message) => message['key'])).toEqual([undefined, undefined, 'traced:1']);
    expect(JSON.stringify(seen)).not.toContain('secret value');
  });

  it('publishes ring changes on shardcache:ring', () => {
    const changes: unknown[] = [];
    const onChange = (message: unknown): void => void changes.push(message);
    subscribe('shardcache:ring', onChange);
    const client = new ShardedClient({ backend: 'redis', nodes: redisNodes() });
    try {
      client.eject(redisNodes()[0] ?? '');
    } finally {
      unsubscribe('shardcache:ring', onChange);
      void client.destroy();
    }
    expect(changes).toEqual([expect.objectContaining({ reason: 'ejected', node: redisNodes()[0] })]);
  });
});

describe('error events', () => {
  it('emits typed errors to listeners, and nothing throws without one', async () => {
    const own = await startFleet({ redis: 1 });
    const server = own.redis[0] as FleetNode;
    const client = new ShardedClient({ backend: 'redis', nodes: [server.address], timeoutMs: 300 });
    try {
      await client.ping();
      await server.kill();
      await expect(client.get('k')).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
      const errors: string[] = [];
      client.on('error', ({ node, error }) => errors.push(`${node} ${error.code}`));
      await expect(client.get('k')).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_(CONNECTION|BREAKER_OPEN)$/) });
      expect(errors).toEqual([expect.stringMatching(new RegExp(`^${server.address} ERR_(CONNECTION|BREAKER_OPEN)$`))]);
    } finally {
      await client.destroy();
      await own.stop();
    }
  });
});

describe('multi-key partial failure', () => {
  it('throws ERR_PARTIAL_FAILURE carrying the failures and the partial result when asked', async () => {
    const own = await startFleet({ redis: 2 });
    const client = new ShardedClient({ backend: 'redis', nodes: own.redis.map((s) => s.address), timeoutMs: 300 });
    try {
      const keys = Array.from({ length: 20 }, (_, i) => `partial:${i}`);
      await client.setMany(keys.map((key) => ({ key, value: key })));
      const victim = own.redis[0] as FleetNode;
      await victim.kill();
      const error: unknown = await client.getMany(keys, { throwOnPartialFailure: true }).catch((caught: unknown) => caught);
      const lost = keys.filter((key) => client.locate(key) === victim.address);
      expect(error).toMatchObject({ code: 'ERR_PARTIAL_FAILURE', failures: lost.map((key) => ({ key, error: expect.objectContaining({ node: victim.address }) })) });
      expect((error as { partial: { values: unknown[] } }).partial.values).toEqual(keys.map((key) => (lost.includes(key) ? undefined : key)));
    } finally {
      await client.destroy();
      await own.stop();
    }
  });
});

describe('values the server refuses', () => {
  it("maps memcached's item size limit to ERR_VALUE_TOO_LARGE", async () => {
    const client = new ShardedClient({ backend: 'memcached', nodes: fleet.memcached.map((s) => s.address), maxValueBytes: 8 * 1024 * 1024 });
    try {
      // Incompressible and over memcached's default 1 MiB item size.
      await expect(client.set('too-large', randomBytes(1536 * 1024))).rejects.toMatchObject({ code: 'ERR_VALUE_TOO_LARGE' });
      await client.set('fits', 'small');
      expect(await client.get('fits')).toBe('small');
    } finally {
      await client.close();
    }
  });
});

describe('node factory', () => {
  it('builds every node through the factory the user supplies', async () => {
    const built: string[] = [];
    const store = new Map<string, StoredItem>();
    const factory = (address: { id: string }): CacheNode => {
      built.push(address.id);
      const missing = (): Promise<never> => Promise.reject(new Error('not in this test'));
      return {
        id: address.id,
        capabilities: { nativeFlags: true, cas: false, scanKeys: false, dumpRestore: false },
        get: (key) => Promise.resolve(store.get(`${address.id}/${key}`)),
        set: (key, value, flags) => {
          store.set(`${address.id}/${key}`, { value: Buffer.from(value), flags });
          return Promise.resolve();
        },
        gets: missing, getMany: missing, add: missing, replace: missing, cas: missing, setMany: missing, delete: missing,
        deleteMany: missing, incr: missing, decr: missing, touch: missing, flush: missing, ping: () => Promise.resolve(),
        stats: () => Promise.resolve({}), close: () => Promise.resolve(), destroy: () => Promise.resolve(),
      };
    };
    const client = new ShardedClient({ backend: 'memcached', nodes: ['a:1', 'b:1'], nodeFactory: factory });
    await client.set('k', { n: 1 });
    expect(await client.get('k')).toEqual({ n: 1 });
    expect(built).toEqual(['a:1', 'b:1']);
    expect([...store.keys()]).toEqual([`${client.locate('k') ?? ''}/k`]);
    await client.close();
  });
});
