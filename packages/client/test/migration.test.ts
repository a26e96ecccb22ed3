// Migration on real redis servers: 100,000 keys from 4 nodes to 5, TTLs kept, idempotent,
// resumable after a cancel.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '@shardcache/chaos';
import { ShardedClient } from '../src/index.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ redis: 5 });
});
afterAll(() => fleet.stop());

const KEYS = 100_000;

function raw(address: string): Redis {
  const [host, port] = address.split(':');
  return new Redis({ host, port: Number(port), lazyConnect: true });
}

describe('migrating 100,000 keys from 4 redis nodes to 5', () => {
  it('copies every moving key with its TTL, moves nothing the second time, and resumes after a cancel', async () => {
    const [a, b, c, d, e] = fleet.redis.map((node) => node.address) as [string, string, string, string, string];
    const client = new ShardedClient({ backend: 'redis', nodes: [a, b, c, d], warmupMs: 0 });
    const direct = new Map([a, b, c, d, e].map((address) => [address, raw(address)]));
    try {
      const keys = Array.from({ length: KEYS }, (_, i) => `mig:${i}`);
      for (let i = 0; i < KEYS; i += 2000) await client.setMany(keys.slice(i, i + 2000).map((key, j) => ({ key, value: `v${i + j}`, ttl: 600 + ((i + j) % 300) })));
      const change = { add: [e] };
      const before = new Map(keys.map((key) => [key, client.locate(key) ?? '']));

      // A run cancelled after its first progress report with copies, then resumed.
      const controller = new AbortController();
      const first = await client.migrate(change, { batchSize: 1000, signal: controller.signal, onProgress: (p) => p.moved > 0 && controller.abort() });
      expect(first.completed).toBe(false);
      expect(first.moved).toBeGreaterThan(0);
      const second = await client.migrate(change, { batchSize: 1000, resumeFrom: first.checkpoint });
      expect(second.completed).toBe(true);
      expect(second.failed).toBe(0);
      // The same migration again moves nothing: every copy is already at its destination.
      const again = await client.migrate(change, { batchSize: 1000 });
      expect(again).toMatchObject({ completed: true, moved: 0, failed: 0 });
      expect(again.skipped).toBe(first.moved + second.moved);

      await client.applyChange(change);
      const moved = keys.filter((key) => client.locate(key) !== before.get(key));
      expect(moved.length).toBeGreaterThan(KEYS / 10);
      expect(first.moved + second.moved).toBe(moved.length);

      // Every moved key is at its new owner with its value, and its TTL within 1 s of the original's.
      const destination = direct.get(e);
      if (destination === undefined) throw new Error('no destination');
      const pipeline = destination.pipeline();
      for (const key of moved) pipeline.get(key).pttl(key);
      const atDestination = (await pipeline.exec()) ?? [];
      const sourceTtls = await Promise.all(moved.map((key) => direct.get(before.get(key) ?? '')?.pttl(key)));
      let badValue = 0;
      let badTtl = 0;
      moved.forEach((key, index) => {
        const value: unknown = atDestination[2 * index]?.[1];
        const pttl: unknown = atDestination[2 * index + 1]?.[1];
        if (typeof value !== 'string' || !value.endsWith(`v${key.slice(4)}`)) badValue++;
        if (typeof pttl !== 'number' || Math.abs(pttl - (sourceTtls[index] ?? 0)) > 1000) badTtl++;
      });
      expect({ badValue, badTtl }).toEqual({ badValue: 0, badTtl: 0 });

      console.log(`migration: ${KEYS} keys, ${moved.length} moved (${first.moved} before the cancel, ${second.moved} after resuming), 0 failed; rate ${Math.round(second.rate)} keys scanned/s; second run moved ${again.moved}`);
    } finally {
      await client.close();
      for (const connection of direct.values()) connection.disconnect();
    }
  }, 120_000);
});
