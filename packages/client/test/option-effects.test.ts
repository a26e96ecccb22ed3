// Every option has an effect: one row per option, keyed by the option types, so an option added
// without a row does not compile. Each row shows what the option changes (a command the node
// receives, server state, a changed behaviour) or that a bad value is refused.
import { tracingChannel } from 'node:diagnostics_channel';
import { modulaRing, type TwemproxyDirective } from '@shardcache/ring';
import { describe, expect, it } from 'vitest';
import {
  ShardedClient,
  VALUE_FLAGS,
  staticMembership,
  type CacheNode,
  type ConnectionOptions,
  type DumpedItem,
  type ShardedClientOptions,
} from '../src/index.js';
import { VirtualClock } from './model/virtual-clock.js';
import { memoryNode } from './support/memory-node.js';

const IDS = ['10.0.0.1:11211', '10.0.0.2:11211', '10.0.0.3:11211'];

/** What the memory nodes received: every write's key, flags and TTL. */
interface Seen {
  readonly writes: { key: string; flags: number; ttl: number | null }[];
}

/** Options over the defaults below; `undefined` takes one away (`nodes`, for a twemproxy pool). */
type Overrides = { readonly [K in keyof ShardedClientOptions]?: ShardedClientOptions[K] | undefined };

/** A client over memory nodes that record what they are sent; `down` makes nodes refuse. */
function over(options: Overrides, down = new Set<string>()): { client: ShardedClient; seen: Seen } {
  const seen: Seen = { writes: [] };
  const client = new ShardedClient({
    backend: 'memcached',
    nodes: IDS,
    nodeFactory: (address) => recording(memoryNode(address.id, new Map<string, DumpedItem>(), { down: () => down.has(address.id) }), seen),
    ...options,
  } as ShardedClientOptions);
  return { client, seen };
}

function recording(node: CacheNode, seen: Seen): CacheNode {
  return {
    ...node,
    set: (key, value, flags, ttl, options) => {
      seen.writes.push({ key, flags, ttl });
      return node.set(key, value, flags, ttl, options);
    },
  };
}

function refused(options: Overrides, option: string): void {
  expect(() => over(options)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option }));
}

const hang = (): Promise<never> => new Promise(() => undefined);

const CLIENT_ROWS: Record<keyof ShardedClientOptions, () => Promise<void> | void> = {
  backend: async () => {
    // memcached's key rules apply to memcached only.
    await expect(over({ backend: 'memcached' }).client.set('a key', 1)).rejects.toMatchObject({ code: 'ERR_INVALID_KEY' });
    await over({ backend: 'redis' }).client.set('a key', 1);
    refused({ backend: 'mongodb' as never }, 'backend');
  },
  nodes: () => {
    expect(over({ nodes: IDS.slice(0, 2) }).client.ring.nodes.map((node) => node.id)).toEqual(IDS.slice(0, 2));
  },
  twemproxy: () => {
    const { client } = over({ nodes: undefined, twemproxy: { servers: ['10.0.0.1:11211:1', '10.0.0.2:11211:1'], hash: 'fnv1a_64', distribution: 'ketama' } });
    expect(client.ring.algorithm).toContain('twemproxy');
  },
  pool: () => {
    const yaml = 'a:\n  distribution: ketama\n  hash: fnv1a_64\n  servers:\n    - 10.0.0.1:11211:1\nb:\n  distribution: ketama\n  hash: fnv1a_64\n  servers:\n    - 10.0.0.2:11211:1\n';
    expect(over({ nodes: undefined, twemproxy: yaml, pool: 'b' }).client.ring.nodes.map((node) => node.id)).toEqual(['10.0.0.2:11211']);
    refused({ nodes: undefined, twemproxy: yaml, pool: 'c' }, 'pool');
  },
  ring: () => {
    expect(over({ ring: (nodes) => modulaRing(nodes.map(({ id }) => id)) }).client.ring.algorithm).toBe('modula');
  },
  keys: async () => {
    const { client, seen } = over({ keys: { prefix: 'app:' } });
    await client.set('k', 1);
    expect(seen.writes.map((write) => write.key)).toEqual(['app:k']);
  },
  defaultTtl: async () => {
    const { client, seen } = over({ defaultTtl: 90 });
    await client.set('k', 1);
    expect(seen.writes[0]?.ttl).toBe(90);
    refused({ defaultTtl: 0 }, 'defaultTtl');
  },
  timeoutMs: async () => {
    const clock = new VirtualClock();
    const client = new ShardedClient({ backend: 'memcached', nodes: IDS, clock, timeoutMs: 40, nodeFactory: (address) => ({ ...memoryNode(address.id, new Map()), get: hang }) });
    const call = client.get('k').catch((error: unknown) => error);
    await clock.advance(39);
    await clock.advance(1);
    expect(await call).toMatchObject({ code: 'ERR_TIMEOUT', timeoutMs: 40 });
    refused({ timeoutMs: -1 }, 'timeoutMs');
  },
  maxInFlight: async () => {
    const client = new ShardedClient({ backend: 'memcached', nodes: IDS.slice(0, 1), maxInFlight: 1, timeoutMs: 50, nodeFactory: (address) => ({ ...memoryNode(address.id, new Map()), get: hang }) });
    const first = client.get('k').catch(() => undefined);
    await expect(client.get('k')).rejects.toMatchObject({ code: 'ERR_OVERLOADED' });
    await first;
  },
  failover: async () => {
    const down = new Set<string>();
    const { client } = over({ failover: 'fail', health: { serverFailureLimit: 1 } }, down);
    const owner = client.locate('k') ?? '';
    down.add(owner);
    await client.get('k').catch(() => undefined);
    // `fail`: the key has no node while its owner is out (`next` would name another).
    expect(client.locate('k')).toBeUndefined();
    await expect(client.set('k', 1)).rejects.toMatchObject({ code: 'ERR_NODE_UNAVAILABLE' });
  },
  values: async () => {
    const { client, seen } = over({ values: 'plain' });
    await client.set('s', 'hé');
    await client.set('n', 42);
    // Flags 0, as other clients write them, and untagged bytes read back as text.
    expect(seen.writes.map((write) => write.flags)).toEqual([0, 0]);
    expect([await client.get('s'), await client.get('n')]).toEqual(['hé', '42']);
    await expect(client.set('o', { a: 1 })).rejects.toMatchObject({ code: 'ERR_INVALID_VALUE', key: 'o', type: 'an object (Object)' });
    expect(seen.writes).toHaveLength(2);
    // The control: the default keeps types, through our flags.
    const typed = over({ values: 'typed' });
    await typed.client.set('n', 42);
    expect([typed.seen.writes[0]?.flags, await typed.client.get('n')]).toEqual([VALUE_FLAGS.SERIALIZED, 42]);
    refused({ values: 'text' as never }, 'values');
    // Compression cannot be honoured in plain mode, so asking for it is refused, not ignored.
    refused({ values: 'plain', compressAbove: 10 }, 'compressAbove');
  },
  serializer: async () => {
    const { client } = over({ serializer: { serialize: (value) => `<${JSON.stringify(value)}>`, deserialize: (bytes) => JSON.parse(bytes.toString().slice(1, -1)) as unknown } });
    await client.set('k', { a: 1 });
    expect(await client.get('k')).toEqual({ a: 1 });
  },
  compressAbove: async () => {
    const { client, seen } = over({ compressAbove: 10 });
    await client.set('k', 'x'.repeat(100));
    expect((seen.writes[0]?.flags ?? 0) & VALUE_FLAGS.COMPRESSED).toBe(VALUE_FLAGS.COMPRESSED);
    expect(await client.get('k')).toBe('x'.repeat(100));
  },
  maxValueBytes: async () => {
    await expect(over({ maxValueBytes: 8, compressAbove: false }).client.set('k', 'x'.repeat(9))).rejects.toMatchObject({ code: 'ERR_VALUE_TOO_LARGE' });
  },
  connection: () => {
    // Each field has its own row below; the object itself is checked for unknown names.
    refused({ connection: { timeout: 1 } as never }, 'connection.timeout');
  },
  health: async () => {
    const down = new Set<string>();
    const { client } = over({ health: { serverFailureLimit: 1 } }, down);
    const owner = client.locate('k') ?? '';
    down.add(owner);
    await client.get('k').catch(() => undefined);
    expect(client.ejected).toEqual([owner]);
  },
  membership: async () => {
    const client = await ShardedClient.open({ backend: 'memcached', membership: staticMembership(IDS.slice(1)), nodeFactory: (address) => memoryNode(address.id, new Map()) });
    expect([client.epoch, client.stats.membership.source, client.ring.nodes.length]).toEqual([1, 'static', 2]);
  },
  warmupMs: async () => {
    const on = over({ warmupMs: 1000 }).client;
    const off = over({ warmupMs: 0 }).client;
    await Promise.all([on.addNodes(['10.0.0.4:11211']), off.addNodes(['10.0.0.4:11211'])]);
    expect([on.stats.warmup.active, off.stats.warmup.active]).toEqual([true, false]);
  },
  rejoin: async () => {
    const down = new Set<string>();
    const { client, seen } = over({ health: { serverFailureLimit: 1 }, rejoin: { failoverTtl: 7 } }, down);
    const owner = client.locate('k') ?? '';
    down.add(owner);
    await client.get('k').catch(() => undefined);
    await client.set('k', 1, { ttl: 3600 });
    // A write that lands on a failover node gets at most failoverTtl.
    expect(seen.writes.at(-1)?.ttl).toBe(7);
  },
  nodeFactory: async () => {
    const { client, seen } = over({});
    await client.set('k', 1);
    expect(seen.writes).toHaveLength(1);
  },
  traceKeys: async () => {
    const keys: unknown[] = [];
    const onStart = (message: unknown): void => void keys.push((message as { key?: string }).key);
    const noop = (): void => undefined;
    const subscriber = { start: onStart, end: noop, asyncStart: noop, asyncEnd: noop, error: noop };
    tracingChannel('shardcache:command').subscribe(subscriber);
    try {
      await over({ traceKeys: true }).client.set('traced', 1);
      await over({ traceKeys: false }).client.set('untraced', 1);
    } finally {
      tracingChannel('shardcache:command').unsubscribe(subscriber);
    }
    expect(keys).toEqual(['traced', undefined]);
  },
  clock: async () => {
    const clock = new VirtualClock();
    const client = new ShardedClient({ backend: 'memcached', nodes: IDS, clock, timeoutMs: 100, nodeFactory: (address) => ({ ...memoryNode(address.id, new Map()), get: hang }) });
    let settled = false;
    const call = client.get('k').catch(() => (settled = true));
    await clock.advance(99);
    expect(settled).toBe(false);
    await clock.advance(1);
    await call;
    expect(settled).toBe(true);
  },
};

// Connection options reach the drivers; what each does on a real server is tested where the
// server runs (credentials.test.ts: username, password, tls; options.test.ts: db; memcached-node
// tests: connectTimeoutMs, memcachedDriver; cache-node tests: autoPipelining). Here: each is
// passed to the node the default factory builds, or refused where it cannot apply.
const CONNECTION_ROWS: Record<keyof ConnectionOptions, () => void> = {
  username: () => refused({ backend: 'memcached', connection: { username: 'u', password: 'p', tls: true, memcachedDriver: 'memjs' } }, 'connection.tls'),
  password: () => refused({ backend: 'memcached', connection: { username: 'u', password: 'p', tls: true, memcachedDriver: 'memjs' } }, 'connection.tls'),
  tls: () => refused({ backend: 'memcached', connection: { tls: true, memcachedDriver: 'memjs' } }, 'connection.tls'),
  connectTimeoutMs: () => refused({ backend: 'memcached', connection: { connectTimeoutMs: 1, connectTimeout: 1 } as never }, 'connection.connectTimeout'),
  db: () => refused({ backend: 'memcached', connection: { db: 1 } }, 'connection.db'),
  autoPipelining: () => refused({ backend: 'redis', connection: { autoPipelining: true, autopipelining: false } as never }, 'connection.autopipelining'),
  memcachedDriver: () => refused({ backend: 'memcached', connection: { tls: true, memcachedDriver: 'memjs' } }, 'connection.tls'),
};

describe('every client option has an effect', () => {
  it.each(Object.entries(CLIENT_ROWS))('%s', async (_name, row) => {
    await row();
  });
});

describe('every connection option is passed on or refused', () => {
  it.each(Object.entries(CONNECTION_ROWS))('%s', (_name, row) => {
    row();
  });
});

// A twemproxy pool's directives: placement and health ones are honoured, redis ones honoured
// on redis (options.test.ts shows AUTH and SELECT on a real server) and refused on memcached,
// and the proxy's own settings (where it listens, its client and server connection counts,
// keepalive, preconnect) have no meaning for a client library: accepted, so a nutcracker YAML
// works unchanged, and shown here to change nothing.
const pool = { servers: ['10.0.0.1:11211:1', '10.0.0.2:11211:1', '10.0.0.3:11211:1'], hash: 'fnv1a_64', distribution: 'ketama' };
const SAMPLE = Array.from({ length: 200 }, (_, i) => `tw:${i}`);
const placement = (client: ShardedClient): (string | undefined)[] => SAMPLE.map((key) => client.locate(key));
const withPool = (extra: Record<string, unknown>, rest: Overrides = {}): ShardedClient => over({ nodes: undefined, twemproxy: { ...pool, ...extra }, ...rest }).client;
const proxySide = (directive: string, value: unknown) => (): void => {
  expect(placement(withPool({ [directive]: value }))).toEqual(placement(withPool({})));
};

async function ejectedAfterFailures(extra: Record<string, unknown>, failures: number): Promise<readonly string[]> {
  const down = new Set<string>();
  const { client } = over({ nodes: undefined, twemproxy: { ...pool, ...extra } }, down);
  const owner = client.locate('k') ?? '';
  down.add(owner);
  for (let i = 0; i < failures; i++) await client.get('k').catch(() => undefined);
  return client.ejected;
}

const TWEMPROXY_ROWS: Record<TwemproxyDirective, () => Promise<void> | void> = {
  servers: () => expect(withPool({}).ring.nodes).toHaveLength(3),
  hash: () => expect(placement(withPool({ hash: 'md5' }))).not.toEqual(placement(withPool({}))),
  distribution: () => expect(withPool({ distribution: 'modula' }).ring.algorithm).not.toBe(withPool({}).ring.algorithm),
  hash_tag: () => {
    const client = withPool({ hash_tag: '{}' });
    expect(new Set(['{user:1}a', '{user:1}b', '{user:1}c', '{user:1}d'].map((key) => client.locate(key))).size).toBe(1);
  },
  timeout: async () => {
    const client = new ShardedClient({ backend: 'memcached', twemproxy: { ...pool, timeout: 30 }, nodeFactory: (address) => ({ ...memoryNode(address.id, new Map()), get: hang }) });
    await expect(client.get('k')).rejects.toMatchObject({ code: 'ERR_TIMEOUT', timeoutMs: 30 });
  },
  auto_eject_hosts: async () => {
    expect(await ejectedAfterFailures({ auto_eject_hosts: false, server_failure_limit: 1 }, 3)).toEqual([]);
    expect(await ejectedAfterFailures({ auto_eject_hosts: true, server_failure_limit: 1 }, 1)).toHaveLength(1);
  },
  server_failure_limit: async () => {
    expect(await ejectedAfterFailures({ auto_eject_hosts: true, server_failure_limit: 3 }, 2)).toEqual([]);
    expect(await ejectedAfterFailures({ auto_eject_hosts: true, server_failure_limit: 3 }, 3)).toHaveLength(1);
  },
  server_retry_timeout: async () => {
    const clock = new VirtualClock();
    const down = new Set<string>();
    const client = new ShardedClient({
      backend: 'memcached',
      twemproxy: { ...pool, auto_eject_hosts: true, server_failure_limit: 1, server_retry_timeout: 5000 },
      clock,
      health: { probeJitter: 0, successThreshold: 1, probeIntervalMs: 100 },
      rejoin: { stableMs: 0 },
      nodeFactory: (address) => memoryNode(address.id, new Map(), { down: () => down.has(address.id) }),
    });
    const owner = client.locate('k') ?? '';
    down.add(owner);
    await client.get('k').catch(() => undefined);
    down.delete(owner);
    await clock.advance(4900);
    expect(client.ejected).toEqual([owner]);
    await clock.advance(1000);
    expect(client.ejected).toEqual([]);
  },
  redis: () => refused({ nodes: undefined, twemproxy: { ...pool, redis: true } }, 'twemproxy.redis'),
  redis_auth: () => refused({ nodes: undefined, twemproxy: { ...pool, redis_auth: 'secret' } }, 'twemproxy.redis_auth'),
  redis_db: () => refused({ nodes: undefined, twemproxy: { ...pool, redis_db: 2 } }, 'twemproxy.redis_db'),
  listen: proxySide('listen', '127.0.0.1:22121'),
  backlog: proxySide('backlog', 1024),
  client_connections: proxySide('client_connections', 100),
  tcpkeepalive: proxySide('tcpkeepalive', true),
  preconnect: proxySide('preconnect', true),
  server_connections: proxySide('server_connections', 2),
};

describe('every twemproxy directive is honoured, refused, or shown to be the proxy\'s own', () => {
  it.each(Object.entries(TWEMPROXY_ROWS))('%s', async (_name, row) => {
    await row();
  });
});
