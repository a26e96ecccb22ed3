import { InvalidOptionError } from './errors.js';
import { type ServerKind, type ServerOptions } from './server-kind.js';
import { ServerProcess } from './server-process.js';

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
}

/** A running fleet. Every server listens on its own free port of 127.0.0.1. */
export interface Fleet {
  /** All servers: memcached first, then redis, in start order. */
  readonly servers: readonly ServerProcess[];
  readonly memcached: readonly ServerProcess[];
  readonly redis: readonly ServerProcess[];
  /** Stops every server by PID (SIGTERM, then SIGKILL). Idempotent. */
  stop(): Promise<void>;
}

const MAX_SERVERS_PER_KIND = 64;

/**
 * Starts real memcached and redis-server processes on free loopback ports and resolves once
 * every one answers. If any fails to start, the others are stopped before the error is thrown.
 *
 * @example
 * const fleet = await startFleet({ memcached: 3, redis: 3 });
 * try {
 *   console.log(fleet.memcached.map((server) => server.address));
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

  const plan: { kind: ServerKind; options: ServerOptions }[] = [
    ...Array.from({ length: memcachedCount }, () => ({ kind: 'memcached' as const, options: options.memcachedOptions ?? {} })),
    ...Array.from({ length: redisCount }, () => ({ kind: 'redis' as const, options: options.redisOptions ?? {} })),
  ];
  const results = await Promise.allSettled(
    plan.map(({ kind, options: serverOptions }) =>
      ServerProcess.start(kind, startTimeoutMs === undefined ? serverOptions : { ...serverOptions, startTimeoutMs }),
    ),
  );
  const servers = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(servers.map((server) => server.stop()));
    throw failure.reason;
  }

  return {
    servers,
    memcached: servers.filter((server) => server.kind === 'memcached'),
    redis: servers.filter((server) => server.kind === 'redis'),
    stop: async () => {
      await Promise.all(servers.map((server) => server.stop()));
    },
  };
}

function count(value: number | undefined, option: string): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value < 0 || value > MAX_SERVERS_PER_KIND) {
    throw new InvalidOptionError(option, `expected an integer from 0 to ${MAX_SERVERS_PER_KIND}, got ${String(value)}`);
  }
  return value;
}
