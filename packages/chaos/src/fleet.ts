import { InvalidOptionError } from './errors.js';
import { FaultProxy } from './fault-proxy.js';
import { FleetNode } from './fleet-node.js';
import type { NodeBackend } from './internal/node-backend.js';
import { startProcessBackend } from './internal/process-runtime.js';
import { validateServerOptions, type ServerKind, type ServerOptions } from './server-kind.js';

/** Where the servers run: child processes (default) or containers through testcontainers 11. */
export type FleetRuntime = 'process' | 'testcontainers';

/** What to start: how many servers of each kind, and their settings. */
export interface FleetOptions {
  /** Number of memcached servers. Default 0. */
  readonly memcached?: number;
  /** Number of redis-server servers. Default 0. */
  readonly redis?: number;
  readonly memcachedOptions?: ServerOptions;
  readonly redisOptions?: ServerOptions;
  /** How long each server may take to answer its first probe. Default 10 s. */
  readonly startTimeoutMs?: number;
  /** Default "process". "testcontainers" needs a container engine and `testcontainers` installed. */
  readonly runtime?: FleetRuntime;
  /** Start a fault proxy in front of each node (needed for network faults). Default true. */
  readonly proxy?: boolean;
}

/** A running fleet. Every server listens on its own free port of 127.0.0.1. */
export interface Fleet {
  /** All nodes: memcached first, then redis, in start order. */
  readonly servers: readonly FleetNode[];
  readonly memcached: readonly FleetNode[];
  readonly redis: readonly FleetNode[];
  /** The node with this id (`"memcached-0"`, `"redis-2"`, ...). */
  node(id: string): FleetNode | undefined;
  /** Stops every server by PID (SIGTERM, then SIGKILL) and closes every proxy. Idempotent. */
  stop(): Promise<void>;
}

const MAX_SERVERS_PER_KIND = 64;

/**
 * Starts real memcached and redis-server processes on free loopback ports, each with a fault
 * proxy in front, and resolves once every one answers. If any fails to start, the others are
 * stopped before the error is thrown.
 *
 * @example
 * const fleet = await startFleet({ memcached: 3, redis: 3 });
 * try {
 *   console.log(fleet.memcached.map((node) => node.proxyAddress));
 * } finally {
 *   await fleet.stop();
 * }
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const memcachedCount = count(options.memcached, 'memcached');
  const redisCount = count(options.redis, 'redis');
  if (memcachedCount + redisCount === 0) {
    throw new InvalidOptionError('memcached', 'a fleet needs at least one server (memcached or redis > 0)');
  }
  const startTimeoutMs = options.startTimeoutMs;
  if (startTimeoutMs !== undefined && !(Number.isFinite(startTimeoutMs) && startTimeoutMs > 0)) {
    throw new InvalidOptionError('startTimeoutMs', `expected a positive number of milliseconds, got ${String(startTimeoutMs)}`);
  }
  const runtime = options.runtime ?? 'process';
  if (runtime !== 'process' && runtime !== 'testcontainers') {
    throw new InvalidOptionError('runtime', `expected "process" or "testcontainers", got ${String(runtime)}`);
  }
  validateServerOptions('memcached', options.memcachedOptions ?? {}, 'memcachedOptions');
  validateServerOptions('redis', options.redisOptions ?? {}, 'redisOptions');

  const plan: { kind: ServerKind; options: ServerOptions }[] = [
    ...Array.from({ length: memcachedCount }, () => ({ kind: 'memcached' as const, options: options.memcachedOptions ?? {} })),
    ...Array.from({ length: redisCount }, () => ({ kind: 'redis' as const, options: options.redisOptions ?? {} })),
  ];
  const start = await backendStarter(runtime);
  const results = await Promise.allSettled(
    plan.map(({ kind, options: serverOptions }) => start(kind, startTimeoutMs === undefined ? serverOptions : { ...serverOptions, startTimeoutMs })),
  );
  const backends = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(backends.map((backend) => backend.stop()));
    throw failure.reason;
  }

  const proxies = options.proxy === false ? [] : await Promise.allSettled(backends.map((backend) => FaultProxy.start({ target: backend })));
  const proxyFailure = proxies.find((result) => result.status === 'rejected');
  if (proxyFailure !== undefined) {
    await Promise.all([...backends.map((backend) => backend.stop()), ...proxies.map((result) => (result.status === 'fulfilled' ? result.value.close() : undefined))]);
    throw proxyFailure.reason;
  }
  const perKind = { memcached: 0, redis: 0 };
  const servers = backends.map((backend, index) => {
    const proxy = proxies[index];
    return new FleetNode(`${backend.kind}-${perKind[backend.kind]++}`, backend, proxy?.status === 'fulfilled' ? proxy.value : undefined);
  });

  return {
    servers,
    memcached: servers.filter((node) => node.kind === 'memcached'),
    redis: servers.filter((node) => node.kind === 'redis'),
    node: (id) => servers.find((node) => node.id === id),
    stop: async () => {
      await Promise.all(servers.map((node) => node.stop()));
    },
  };
}

type BackendStarter = (kind: ServerKind, options: ServerOptions & { startTimeoutMs?: number }) => Promise<NodeBackend>;

async function backendStarter(runtime: FleetRuntime): Promise<BackendStarter> {
  if (runtime === 'process') return startProcessBackend;
  // Loaded only when asked for: testcontainers is an optional dependency.
  const { startContainerBackend } = await import('./internal/container-runtime.js');
  return startContainerBackend;
}

function count(value: number | undefined, option: string): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value < 0 || value > MAX_SERVERS_PER_KIND) {
    throw new InvalidOptionError(option, `expected an integer from 0 to ${MAX_SERVERS_PER_KIND}, got ${String(value)}`);
  }
  return value;
}
