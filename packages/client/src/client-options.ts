import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { ketamaRing, parseTwemproxyConfig, twemproxyRing, type Ring, type TwemproxyPool } from '@shardcache/ring';
import { fromTwemproxyPool, type HealthRegistryOptions } from '@shardcache/health';
import { InvalidOptionError } from './errors.js';
import { closestName } from './internal/closest-name.js';
import { withHealthOptions } from './internal/health-options.js';
import type { MembershipSource } from './membership/membership-source.js';
import type { RejoinOptions } from './rejoin/rejoin-guard.js';
import { systemClock, type Clock } from './internal/clock.js';
import type { KeyRulesOptions } from './keyspace/key-rules.js';
import type { CacheNode } from './nodes/cache-node.js';
import { parseNodeList, type NodeAddress, type NodeSpec } from './nodes/node-address.js';
import { isRequestError } from './routing/failure-class.js';
import { FAILOVER_POLICIES, assertRebuildable, type FailoverPolicy } from './routing/router.js';
import { defaultTtlOption, maxTtlSeconds } from './values/ttl.js';
import type { TtlInput } from './values/ttl.js';
import type { Serializer, ValueMode } from './values/value-codec.js';

export type Backend = 'memcached' | 'redis';

/** Creates the node for one address; the default picks memjs or ioredis by backend. */
export type NodeFactory = (address: NodeAddress, context: { readonly backend: Backend; readonly options: ResolvedOptions }) => CacheNode;

/** Everything `new ShardedClient(options)` accepts. */
export interface ShardedClientOptions {
  readonly backend: Backend;
  /** The fleet: `"host:port[:weight] [name]"` strings or `{ host, port, weight, name }`. */
  readonly nodes?: readonly NodeSpec[];
  /**
   * A twemproxy pool instead of `nodes`: the pool object, or YAML text with `pool` naming the
   * pool. Its servers, hash, distribution, hash_tag and timeout are honoured.
   */
  readonly twemproxy?: TwemproxyPool | string;
  readonly pool?: string;
  /** How to place keys, given the nodes (default: the native ketama ring). */
  readonly ring?: (nodes: readonly NodeAddress[]) => Ring;
  readonly keys?: KeyRulesOptions;
  /** TTL for writes that give none. Default 3600 s; `'never'` must be explicit. */
  readonly defaultTtl?: TtlInput;
  /** Per-call deadline in ms (our own timer). Default 500, or the twemproxy pool's `timeout`. */
  readonly timeoutMs?: number;
  /** Calls outstanding per node before ERR_OVERLOADED. Default 1024. */
  readonly maxInFlight?: number;
  /** See `FailoverPolicy`. Default `'next'`. */
  readonly failover?: FailoverPolicy;
  /**
   * How values are stored. `'typed'` (default): this client alone reads them back with their
   * types (objects, numbers) and compression. `'plain'`: what other clients read and write
   * (pylibmc, redis-py, ...): strings as bare UTF-8, Buffers as bytes, integers as decimal text,
   * flags 0, no header, no compression; other types need a `serializer`, or fail with
   * ERR_INVALID_VALUE; values without our tag read back as strings (or `{ as: 'buffer' }`).
   */
  readonly values?: ValueMode;
  /** Typed values: objects and numbers (default JSON). Plain values: writes of types other than strings, bytes and integers. */
  readonly serializer?: Serializer;
  /** Compress values of at least this many bytes (deflate). Default 16 KiB; false disables. Refused with `values: 'plain'`. */
  readonly compressAbove?: number | false;
  /** Largest value accepted after compression. Default 1 MiB (memcached's item_size_max). */
  readonly maxValueBytes?: number;
  /** Options for every node: credentials, TLS, connect timeout. */
  readonly connection?: ConnectionOptions;
  /**
   * Health and ejection (see @shardcache/health). Defaults: ejection on (`autoEjectHosts`),
   * unlike twemproxy, so a dead node leaves placement; a twemproxy pool's knobs apply first.
   * The probe is the node's own ping and the deadline is `timeoutMs`.
   */
  readonly health?: ClientHealthOptions;
  /**
   * Planned membership shared by every process (a `redisMembership` key, a static list, ...):
   * each newer view is applied with `setNodes`. `ShardedClient.open` reads the first view.
   */
  readonly membership?: MembershipSource;
  /**
   * Warm-up after a planned change: for this long, a miss on a key's new owner reads its
   * previous owner and fills the new one with the remaining TTL. Default 60,000 ms; 0 turns it off.
   */
  readonly warmupMs?: number;
  /** Rejoin safety: see `RejoinOptions` (on by default). */
  readonly rejoin?: RejoinOptions;
  readonly nodeFactory?: NodeFactory;
  /** Put keys in `shardcache:command` trace messages (values are never traced). Default false. */
  readonly traceKeys?: boolean;
  /**
   * Time and timers for deadlines, latencies, ejection and probes, and for the default nodes'
   * own (connect, reply and handshake deadlines, reconnect back-off). Default: epoch ms with
   * sub-millisecond precision and unref'd timers.
   */
  readonly clock?: Clock;
}

/** Health options the client passes to its HealthRegistry. */
export type ClientHealthOptions = Omit<HealthRegistryOptions, 'probe' | 'clock' | 'timeout' | 'heldOut'>;

/** Passed through to the drivers. Never logged or put in errors. */
export interface ConnectionOptions {
  readonly username?: string;
  readonly password?: string;
  /** TLS options for `tls.connect`, or true (redis; memcached with the meta driver). */
  readonly tls?: TlsOptions | boolean;
  readonly connectTimeoutMs?: number;
  /** Redis only: the logical database (`SELECT`). Default 0; a twemproxy pool's `redis_db` sets it. */
  readonly db?: number;
  /** Redis only: batch commands of one tick into one write. Default true. */
  readonly autoPipelining?: boolean;
  /**
   * Memcached only: `'meta'` (default), our pipelined meta-protocol node, or `'memjs'` (binary
   * protocol; chosen automatically when `username`/`password` ask for SASL without `tls`; with
   * `tls`, or with `'meta'`, credentials are memcached's text-protocol login, `memcached -Y`).
   */
  readonly memcachedDriver?: 'meta' | 'memjs';
}

/** Options after validation and defaults. */
export interface ResolvedOptions {
  readonly backend: Backend;
  readonly nodes: readonly NodeAddress[];
  readonly ring: Ring;
  readonly keys: KeyRulesOptions;
  readonly defaultTtl: number | null;
  readonly timeoutMs: number;
  readonly maxInFlight: number;
  readonly failover: FailoverPolicy;
  readonly maxValueBytes: number;
  readonly connection: ConnectionOptions;
  readonly clock: Clock;
  readonly health: ClientHealthOptions;
  readonly traceKeys: boolean;
  readonly warmupMs: number;
  readonly pool: TwemproxyPool | undefined;
}

// Every option by name: a new option without an entry here does not compile, and a name not
// here (a typo such as `timeoutMS`) is refused instead of silently ignored.
const CLIENT_OPTIONS: Readonly<Record<keyof ShardedClientOptions, true>> = {
  backend: true, nodes: true, twemproxy: true, pool: true, ring: true, keys: true, defaultTtl: true, timeoutMs: true, maxInFlight: true,
  failover: true, values: true, serializer: true, compressAbove: true, maxValueBytes: true, connection: true, health: true, membership: true,
  warmupMs: true, rejoin: true, nodeFactory: true, traceKeys: true, clock: true,
};
const CONNECTION_OPTIONS: Readonly<Record<keyof ConnectionOptions, true>> = {
  username: true, password: true, tls: true, connectTimeoutMs: true, db: true, autoPipelining: true, memcachedDriver: true,
};

/** Refuses a name `known` does not list, naming the closest known one. */
function assertKnown(value: object, known: Readonly<Record<string, true>>, path: string): void {
  for (const name of Object.keys(value)) {
    if (Object.hasOwn(known, name)) continue;
    const closest = closestName(name, Object.keys(known));
    throw new InvalidOptionError(`${path}${name}`, `no such option${closest === undefined ? '' : `; did you mean "${path}${closest}"?`}`);
  }
}

/** The one place user options are narrowed from `unknown` and defaulted. */
export function resolveOptions(options: ShardedClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options', 'expected an object');
  assertKnown(options, CLIENT_OPTIONS, '');
  if (typeof options.connection === 'object' && options.connection !== null) assertKnown(options.connection, CONNECTION_OPTIONS, 'connection.');
  const backend: unknown = options.backend;
  if (backend !== 'memcached' && backend !== 'redis') throw new InvalidOptionError('backend', `expected 'memcached' or 'redis', got ${JSON.stringify(backend)}`);

  const pool = twemproxyPool(options);
  let nodes: NodeAddress[];
  let ring: Ring;
  if (pool !== undefined) {
    if (options.nodes !== undefined) throw new InvalidOptionError('nodes', 'give either nodes or twemproxy, not both');
    nodes = parseNodeList(pool.servers, 'twemproxy.servers').map((node) => ({ ...node, id: `${node.host}:${node.port}` }));
    ring = twemproxyRing(pool);
  } else {
    nodes = parseNodeList(options.nodes, 'nodes');
    ring = options.ring === undefined ? ketamaRing(nodes.map(({ id, weight }) => ({ id, weight }))) : options.ring(nodes);
  }

  const connection = withPoolConnection(options.connection ?? {}, pool, backend);
  if (connection.db !== undefined && (backend !== 'redis' || !Number.isInteger(connection.db) || connection.db < 0)) {
    throw new InvalidOptionError('connection.db', backend === 'redis' ? `expected a whole number >= 0, got ${JSON.stringify(connection.db)}` : 'a redis database number, but backend is "memcached"');
  }
  if (backend === 'memcached' && connection.memcachedDriver === 'memjs' && usesTls(connection)) {
    // memjs opens plain sockets only: its SASL credentials and every value would cross the
    // network in clear text. Over TLS the meta node logs in with the text protocol instead.
    throw new InvalidOptionError('connection.tls', 'connection.memcachedDriver "memjs" has no TLS (its SASL would go out in clear text); use the default meta node, which logs in with memcached\'s text protocol (-Y) over TLS');
  }
  if (pool !== undefined && backend === 'memcached' && (pool as { redis?: unknown }).redis === true) {
    throw new InvalidOptionError('twemproxy.redis', 'the pool says redis: true, but backend is "memcached"');
  }
  const failover: unknown = options.failover ?? 'next';
  if (!FAILOVER_POLICIES.includes(failover as FailoverPolicy)) throw new InvalidOptionError('failover', `expected one of ${FAILOVER_POLICIES.join(', ')}, got ${JSON.stringify(failover)}`);
  assertRebuildable(ring, failover as FailoverPolicy);
  const clock = options.clock ?? systemClock;

  return {
    backend,
    nodes,
    ring,
    keys: { memcachedRules: backend === 'memcached', ...options.keys },
    defaultTtl: defaultTtlOption(options.defaultTtl, () => maxTtlSeconds(backend, clock.now())),
    timeoutMs: positive('timeoutMs', options.timeoutMs ?? poolTimeout(pool) ?? 500),
    maxInFlight: positiveInteger('maxInFlight', options.maxInFlight ?? 1024),
    failover: failover as FailoverPolicy,
    maxValueBytes: positiveInteger('maxValueBytes', options.maxValueBytes ?? 1024 * 1024),
    connection,
    clock,
    // Which failures count against a node is the client's table (failure-class.ts) unless the caller gives a filter.
    health: { autoEjectHosts: true, errorFilter: isRequestError, ...(pool === undefined ? {} : withoutTimeout(withHealthOptions('twemproxy.', () => fromTwemproxyPool(pool)))), ...options.health },
    traceKeys: options.traceKeys === true,
    warmupMs: nonNegative('warmupMs', options.warmupMs ?? 60_000),
    pool,
  };
}

/**
 * A redis pool's `redis_auth` and `redis_db` are honoured as the password and database (the
 * caller's own connection options win); under memcached they are refused, as nutcracker does.
 */
function withPoolConnection(connection: ConnectionOptions, pool: TwemproxyPool | undefined, backend: Backend): ConnectionOptions {
  if (pool === undefined) return connection;
  const auth: unknown = pool['redis_auth'];
  const db: unknown = pool['redis_db'];
  if (auth === undefined && db === undefined) return connection;
  if (backend !== 'redis') throw new InvalidOptionError(auth === undefined ? 'twemproxy.redis_db' : 'twemproxy.redis_auth', 'a redis directive, but backend is "memcached"');
  if (auth !== undefined && typeof auth !== 'string') throw new InvalidOptionError('twemproxy.redis_auth', 'expected a password string');
  if (db !== undefined && !(Number.isInteger(db) && (db as number) >= 0)) throw new InvalidOptionError('twemproxy.redis_db', `expected a whole number >= 0, got ${JSON.stringify(db)}`);
  return { ...(auth === undefined ? {} : { password: auth }), ...(db === undefined ? {} : { db: db as number }), ...connection };
}

/** Whether the connection asks for TLS (`tls` given and not false). */
export function usesTls(connection: ConnectionOptions): boolean {
  return connection.tls !== undefined && connection.tls !== false;
}

function twemproxyPool(options: ShardedClientOptions): TwemproxyPool | undefined {
  const source = options.twemproxy;
  if (source === undefined) return undefined;
  if (typeof source !== 'string') return source;
  const pools = parseTwemproxyConfig(source);
  const names = Object.keys(pools);
  const name = options.pool ?? (names.length === 1 ? names[0] : undefined);
  const pool = name === undefined ? undefined : pools[name];
  if (pool === undefined) throw new InvalidOptionError('pool', `name one of the YAML's pools (${names.join(', ')}), got ${JSON.stringify(options.pool)}`);
  return pool;
}

function withoutTimeout<T extends { timeout?: number }>(options: T): Omit<T, 'timeout'> {
  const { timeout: _timeout, ...rest } = options;
  return rest;
}

function poolTimeout(pool: TwemproxyPool | undefined): number | undefined {
  const timeout: unknown = (pool as { timeout?: unknown } | undefined)?.timeout;
  return typeof timeout === 'number' ? timeout : undefined;
}

function positive(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new InvalidOptionError(option, `expected a positive number, got ${JSON.stringify(value)}`);
  return value;
}

function nonNegative(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new InvalidOptionError(option, `expected milliseconds >= 0, got ${JSON.stringify(value)}`);
  return value;
}

function positiveInteger(option: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) <= 0) throw new InvalidOptionError(option, `expected a positive whole number, got ${JSON.stringify(value)}`);
  return value as number;
}
