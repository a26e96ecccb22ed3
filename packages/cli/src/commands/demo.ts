import { startFleet, type Fleet, type ServerKind } from '@shardcache/chaos';
import { ShardedClient } from '@shardcache/client';

/** What `shardcache demo` runs. */
export interface DemoOptions {
  readonly backend: ServerKind;
  readonly nodes: number;
  readonly keys: number;
  /** Run against this fleet instead of starting (and stopping) one. */
  readonly fleet?: Fleet;
}

/** One routed key, as the demo reports it. */
export interface RoutedKey {
  readonly key: string;
  readonly node: string;
}

/**
 * The short demo: starts a local fleet, routes keys across it through a `ShardedClient`
 * (ketama ring), writes each key and reads it back, and stops the fleet. The live dashboard
 * with failures, rejoin and migration replaces it later (issue #13).
 *
 * @example
 * await runDemo({ backend: 'memcached', nodes: 4, keys: 12 }, (line) => console.log(line));
 */
export async function runDemo(options: DemoOptions, print: (line: string) => void): Promise<RoutedKey[]> {
  const { backend, nodes, keys } = options;
  if (options.fleet === undefined) print(`Starting ${nodes} ${backend} servers on free loopback ports...`);
  const fleet = options.fleet ?? (await startFleet({ [backend]: nodes }));
  const servers = backend === 'redis' ? fleet.redis : fleet.memcached;
  const client = new ShardedClient({ backend, nodes: servers.map((server) => server.address), defaultTtl: 300 });
  try {
    print(`Ketama ring over ${servers.length} nodes (160 points each):`);
    for (const server of servers) {
      print(`  ${server.address}  pid ${server.pid}  owns ${(client.ring.shareOf(server.address) * 100).toFixed(1)}% of the key space`);
    }

    print(`Routing ${keys} keys through ShardedClient:`);
    const routed: RoutedKey[] = [];
    for (let i = 1; i <= keys; i++) {
      const key = `user:${i}`;
      const node = client.locate(key) ?? 'nowhere';
      const value = `profile of ${key}`;
      await client.set(key, value);
      const readBack = await client.get(key);
      print(`  ${key.padEnd(10)} -> ${node}  ${readBack === value ? 'written and read back' : `READ BACK ${String(readBack)}`}`);
      routed.push({ key, node });
    }

    const perNode = servers.map((server) => `${server.address}: ${routed.filter((entry) => entry.node === server.address).length}`);
    print(`Keys per node: ${perNode.join(', ')}`);
    const { total } = client.stats;
    print(`Client stats: ${total.calls} calls, ${total.hits} hits, ${total.misses} misses, ${total.errors} errors`);
    return routed;
  } finally {
    await client.close();
    if (options.fleet === undefined) {
      await fleet.stop();
      print(`Stopped ${servers.length} servers.`);
    }
  }
}
