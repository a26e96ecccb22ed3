import { parseArgs } from 'node:util';
import { parseNodeSpec } from '@shardcache/client';
import type { CliOutput } from '../main.js';
import { percent, table } from '../internal/output.js';
import { serverList } from '../internal/ring-args.js';
import { counter as number, statsNode, storedKeys } from '../internal/server-stats.js';
import { backendOption, type Backend } from '../internal/options.js';

export const STATS_HELP = `Usage: shardcache stats --servers LIST [--backend memcached|redis] [--json]

A one-shot view of a fleet from the servers' own counters: version, uptime, items, memory,
hit rate and evictions per node. A server that does not answer is listed as down.

  --servers LIST   host:port,...
  --backend NAME   memcached (default) or redis
  --json
  --help`;

/** One row of the fleet view. */
export interface NodeView {
  readonly node: string;
  readonly up: boolean;
  readonly version?: string;
  readonly uptimeSeconds?: number;
  readonly items?: number;
  readonly memoryBytes?: number;
  readonly hitRate?: number;
  readonly evictions?: number;
  readonly error?: string;
}

/**
 * `shardcache stats`: asks every server for its own stats, in parallel, with a short timeout.
 *
 * @example
 * await runStats(['--servers', '127.0.0.1:11211', '--json'], output);
 */
export async function runStats(argv: readonly string[], output: CliOutput): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: { servers: { type: 'string' }, backend: { type: 'string', default: 'memcached' }, json: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  const backend = backendOption(values.backend);
  const servers = serverList(values.servers);
  const views = await Promise.all(servers.map((server) => view(backend, server)));
  if (values.json) {
    output.out(JSON.stringify(views));
    return;
  }
  const show = (value: number | undefined, format: (n: number) => string = String): string => (value === undefined ? '-' : format(value));
  output.out(
    table(
      ['node', 'state', 'version', 'uptime s', 'items', 'memory MiB', 'hit rate', 'evictions'],
      views.map((v) => [v.node, v.up ? 'up' : `down (${v.error ?? ''})`, v.version ?? '-', show(v.uptimeSeconds), show(v.items), show(v.memoryBytes, (n) => (n / 1048576).toFixed(1)), show(v.hitRate, (n) => percent(n, 1)), show(v.evictions)]),
    ),
  );
}

async function view(backend: Backend, server: string): Promise<NodeView> {
  const { id } = parseNodeSpec(server, '--servers');
  const node = statsNode(backend, server);
  try {
    const stats = await Promise.race([
      node.stats(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 2 s')), 2000).unref()),
    ]);
    return backend === 'redis' ? redisView(id, stats) : memcachedView(id, stats);
  } catch (error) {
    return { node: id, up: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    await node.destroy();
  }
}

const ratio = (hits: number | undefined, misses: number | undefined): number | undefined =>
  hits === undefined || misses === undefined || hits + misses === 0 ? undefined : hits / (hits + misses);

function memcachedView(node: string, stats: Readonly<Record<string, string>>): NodeView {
  return {
    node,
    up: true,
    ...optional('version', stats['version']),
    ...optional('uptimeSeconds', number(stats['uptime'])),
    ...optional('items', storedKeys('memcached', stats)),
    ...optional('memoryBytes', number(stats['bytes'])),
    ...optional('hitRate', ratio(number(stats['get_hits']), number(stats['get_misses']))),
    ...optional('evictions', number(stats['evictions'])),
  };
}

function redisView(node: string, stats: Readonly<Record<string, string>>): NodeView {
  return {
    node,
    up: true,
    ...optional('version', stats['redis_version']),
    ...optional('uptimeSeconds', number(stats['uptime_in_seconds'])),
    ...optional('items', storedKeys('redis', stats)),
    ...optional('memoryBytes', number(stats['used_memory'])),
    ...optional('hitRate', ratio(number(stats['keyspace_hits']), number(stats['keyspace_misses']))),
    ...optional('evictions', number(stats['evicted_keys'])),
  };
}

/** `{ [key]: value }` when the value is known, `{}` otherwise (exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
}
