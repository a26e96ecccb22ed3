// A client configured from a twemproxy pool puts every key on the backend real nutcracker
// chose. Ground truth: fixtures written by running nutcracker 0.5.0 (packages/ring/scripts/ground-truth).
// Named servers make placement independent of addresses, so the pool runs on our fleet's ports.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '@shardcache/chaos';
import { ShardedClient } from '../src/index.js';
import { memcachedHas } from './support/raw-command.js';

interface Fixture {
  pool: Record<string, unknown> & { servers: string[] };
  servers: { host: string; port: number; weight: number; name: string }[];
  assignments: Record<string, string>;
}

const load = (name: string): Fixture => JSON.parse(readFileSync(new URL(`../../ring/test/fixtures/${name}.json`, import.meta.url), 'utf8')) as Fixture;

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 5 });
});
afterAll(() => fleet.stop());

describe.each(['mc_ketama_md5_named_w', 'mc_modula_md5_named', 'mc_ketama_fnv1a_64_named'])('twemproxy pool %s', (name) => {
  it('places every key on the backend nutcracker chose', async () => {
    const fixture = load(name);
    // Same names and weights, our servers' addresses; fixture server i -> fleet server i.
    const servers = fixture.servers.map((server, i) => `${fleet.memcached[i]?.address ?? ''}:${server.weight} ${server.name}`);
    const ourAddress = new Map(fixture.servers.map((server, i) => [`${server.host}:${server.port}`, fleet.memcached[i]?.address ?? '']));
    const client = new ShardedClient({ backend: 'memcached', twemproxy: { ...fixture.pool, servers }, defaultTtl: 600 });
    try {
      await client.flush();
      const keys = Object.keys(fixture.assignments);
      const { failures } = await client.setMany(keys.map((key) => ({ key, value: 'x' })));
      expect(failures).toEqual([]);
      const found = new Map<string, string[]>();
      for (const server of fleet.memcached) {
        const has = await memcachedHas(server.port, keys);
        keys.forEach((key, i) => {
          if (has[i] === true) found.set(key, [...(found.get(key) ?? []), server.address]);
        });
      }
      const mismatches = keys.filter((key) => found.get(key)?.join() !== ourAddress.get(fixture.assignments[key] ?? ''));
      expect(mismatches).toEqual([]);
      expect(keys.length).toBeGreaterThan(1900);
    } finally {
      await client.close();
    }
  });
});

it('takes a pool from YAML text, with node ids as host:port', () => {
  const yaml = `alpha:\n  hash: md5\n  distribution: ketama\n  timeout: 400\n  servers:\n    - 127.0.0.1:1:1 a\n    - 127.0.0.1:2:1 b\n`;
  const client = new ShardedClient({ backend: 'memcached', twemproxy: yaml });
  expect(client.ring.nodes.map((node) => node.id).sort()).toEqual(['127.0.0.1:1', '127.0.0.1:2']);
  void client.destroy();
});
