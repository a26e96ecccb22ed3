// Warm-up on real servers: adding a node to a warm fleet under uniform reads, with no writes
// refilling the cache. Without warm-up the keys that moved miss until the database refills them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '@shardcache/chaos';
import { ShardedClient } from '../src/index.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ redis: 5 });
});
afterAll(() => fleet.stop());

const KEYS = 10_000;

/** Min hit rate over 1-second windows (by completion time) while reads run and a node joins. */
async function minWindowHitRate(warmupMs: number, prefix: string): Promise<{ min: number; windows: number[]; moved: number; warmHits: number }> {
  const [a, b, c, d, e] = fleet.redis.map((node) => node.address) as [string, string, string, string, string];
  const client = new ShardedClient({ backend: 'redis', nodes: [a, b, c, d], warmupMs, defaultTtl: 600 });
  try {
    const keys = Array.from({ length: KEYS }, (_, i) => `${prefix}:${i}`);
    for (let i = 0; i < KEYS; i += 1000) await client.setMany(keys.slice(i, i + 1000).map((key) => ({ key, value: key })));
    const before = keys.map((key) => client.locate(key));

    const started = performance.now();
    const windows = new Map<number, { hits: number; reads: number }>();
    let reads = 0;
    let joinedAt = Infinity;
    const reader = async (w: number): Promise<void> => {
      for (let i = w; performance.now() - Math.min(joinedAt, started + 60_000) < 2500 && reads < 400_000; i += 32) {
        const key = keys[(i * 7919) % KEYS] ?? '';
        const value = await client.get(key);
        reads++;
        const second = Math.floor((performance.now() - started) / 1000);
        const window = windows.get(second) ?? { hits: 0, reads: 0 };
        window.reads++;
        if (value === key) window.hits++;
        windows.set(second, window);
      }
    };
    const load = Promise.all(Array.from({ length: 32 }, (_, w) => reader(w)));
    while (reads < 5000) await new Promise((resolve) => setImmediate(resolve));
    await client.addNodes([e]);
    joinedAt = performance.now();
    await load;
    const moved = keys.filter((key, i) => client.locate(key) !== before[i]).length;
    const rates = [...windows.entries()].sort(([x], [y]) => x - y).map(([, window]) => window.hits / window.reads);
    return { min: Math.min(...rates), windows: rates, moved, warmHits: client.stats.warmup.hits };
  } finally {
    await client.close();
  }
}

describe('adding 1 node to 4 under uniform reads over 10,000 warm keys', () => {
  it('keeps every 1-second hit rate at or above 95% with warm-up, and drops below 90% without', async () => {
    const warm = await minWindowHitRate(60_000, 'warm');
    const cold = await minWindowHitRate(0, 'cold');
    const show = (rates: number[]): string => rates.map((rate) => `${(rate * 100).toFixed(1)}%`).join(' ');
    console.log(`warm-up on: ${warm.moved} keys moved, ${warm.warmHits} reads served by previous owners, hit rate per second ${show(warm.windows)}`);
    console.log(`warm-up off: ${cold.moved} keys moved, hit rate per second ${show(cold.windows)}`);
    expect(warm.moved).toBeGreaterThan(1000);
    expect(warm.min).toBeGreaterThanOrEqual(0.95);
    expect(cold.min).toBeLessThan(0.9);
  }, 60_000);
});
