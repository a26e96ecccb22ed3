import { Redis } from 'ioredis';
import memjs from 'memjs';
import { describe, expect } from 'vitest';
import { fleetTest } from '@shardcache/chaos/vitest';
import { runDemo } from '../src/index.js';

const it = fleetTest({ memcached: 3, redis: 3 });

describe('shardcache demo', () => {
  it('writes every key to the memcached node it reports, and to no other', async ({ fleet }) => {
    const lines: string[] = [];
    const routed = await runDemo({ backend: 'memcached', nodes: 3, keys: 30, fleet }, (line) => lines.push(line));

    expect(routed).toHaveLength(30);
    expect(new Set(routed.map((entry) => entry.node)).size).toBeGreaterThan(1);
    for (const server of fleet.memcached) {
      const client = memjs.Client.create(server.address, { retries: 0, timeout: 2, logger: { log: () => undefined } });
      try {
        for (const { key, node } of routed) {
          const { value } = await client.get(key);
          // Read directly from the server: the text is there (after the client's format header) or absent.
          const held = value?.toString().endsWith(`profile of ${key}`) ?? false;
          expect(held, `${key} on ${server.address}`).toBe(node === server.address);
        }
      } finally {
        client.close();
      }
    }
    for (const { key, node } of routed) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^  ${key} +-> ${node}  written and read back$`)));
  });

  it('routes across redis nodes the same way', async ({ fleet }) => {
    const routed = await runDemo({ backend: 'redis', nodes: 3, keys: 30, fleet }, () => undefined);
    for (const server of fleet.redis) {
      const client = new Redis({ host: server.host, port: server.port, lazyConnect: true, maxRetriesPerRequest: 0 });
      try {
        const values = await Promise.all(routed.map(({ key }) => client.get(key)));
        expect(values.map((value, i) => value?.endsWith(`profile of ${routed[i]?.key ?? ''}`) ?? false)).toEqual(routed.map(({ node }) => node === server.address));
      } finally {
        await client.quit();
      }
    }
  });
});
