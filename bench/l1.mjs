// The L1 near-cache's hit path against lru-cache 11, in the same run: ns per hit (median of 5
// runs), hits/s, and p50/p99 of per-call latency (timed in batches of 100 calls, since one hit
// is shorter than the timer's resolution). 1,000 hot keys, 100-byte string values, every read a
// hit; the cluster behind the L1 is a stub that is never reached after the warm-up.
//
//   npx tsc -b packages/patterns && node bench/l1.mjs [iterations]
import { L1Cache, PatternCache } from '@shardcache/patterns';
import { LRUCache } from 'lru-cache';
import { Lru } from '../packages/patterns/dist/internal/lru.js';

const N = Number(process.argv[2] ?? 2_000_000);
const BATCH = 100;
const keys = Array.from({ length: 1000 }, (_, i) => `user:${i}`);
const value = 'x'.repeat(100);
const remote = {
  get: async () => value,
  set: async () => undefined,
  add: async () => true,
  delete: async () => true,
  incr: async () => undefined,
  getMany: async (many) => ({ values: many.map(() => value), failures: [] }),
};

async function measure(label, call, isAsync) {
  const run = isAsync
    ? async (count, offset) => {
        for (let i = 0; i < count; i++) await call(keys[(offset + i) % 1000]);
      }
    : (count, offset) => {
        let found = 0;
        for (let i = 0; i < count; i++) if (call(keys[(offset + i) % 1000]) !== undefined) found++;
        if (found !== count) throw new Error(`${label}: ${count - found} misses`);
      };
  await run(200_000, 0); // warm-up
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const started = process.hrtime.bigint();
    await run(N, r);
    runs.push(Number(process.hrtime.bigint() - started) / N);
  }
  runs.sort((a, b) => a - b);
  const batches = [];
  for (let b = 0; b < 20_000; b++) {
    const started = process.hrtime.bigint();
    await run(BATCH, b * BATCH);
    batches.push(Number(process.hrtime.bigint() - started) / BATCH);
  }
  batches.sort((a, b) => a - b);
  const row = {
    label,
    ns: runs[2],
    perSecond: 1e9 / runs[2],
    p50: batches[Math.floor(batches.length * 0.5)],
    p99: batches[Math.floor(batches.length * 0.99)],
  };
  console.log(
    `${label.padEnd(46)} ${row.ns.toFixed(1).padStart(7)} ns/hit  ${(row.perSecond / 1e6).toFixed(2).padStart(6)} M hits/s  p50 ${row.p50.toFixed(0).padStart(4)} ns  p99 ${row.p99.toFixed(0).padStart(5)} ns`,
  );
  return row;
}

console.log(`node ${process.version}, ${N} hits per run, 1,000 keys, 100-byte values\n`);

// Synchronous stores, the same shape of work: bounded LRU with a TTL.
const plain = new LRUCache({ max: 10_000 });
const timed = new LRUCache({ max: 10_000, ttl: 60_000 });
const sized = new LRUCache({ max: 10_000, ttl: 60_000, maxSize: 16 << 20, sizeCalculation: (v, k) => 64 + k.length * 2 + v.length * 2 });
const lru = new Lru(10_000, 16 << 20);
const expiresAt = Date.now() + 3_600_000;
for (const key of keys) {
  plain.set(key, value);
  timed.set(key, value);
  sized.set(key, value);
  lru.set(key, value, 64 + key.length * 2 + value.length * 2, expiresAt);
}
console.log('synchronous (the store alone)');
await measure('lru-cache get (max)', (key) => plain.get(key), false);
await measure('lru-cache get (max, ttl)', (key) => timed.get(key), false);
await measure('lru-cache get (max, ttl, maxSize)', (key) => sized.get(key), false);
await measure('shardcache Lru get (entries, bytes, ttl)', (key) => lru.get(key, Date.now()), false);
await measure('  the same, clock read hoisted (store alone)', (key) => lru.get(key, 0), false);

// The Cache interface is asynchronous: every hit is a resolved promise the caller awaits.
const l1 = new L1Cache(remote, { maxEntries: 10_000, ttlMs: 3_600_000 });
const patterns = new PatternCache(remote, { defaultTtl: 3600, l1: { maxEntries: 10_000, ttlMs: 3_600_000 } });
for (const key of keys) {
  await l1.get(key);
  await patterns.getOrSet(key, () => value);
}
console.log('\nawaited (what an async cache API costs)');
await measure('lru-cache get (max, ttl, maxSize), awaited', (key) => Promise.resolve(sized.get(key)), true);
await measure('L1Cache.get (hit)', (key) => l1.get(key), true);
await measure('PatternCache.get over L1 (hit)', (key) => patterns.get(key), true);
await measure('PatternCache.getOrSet over L1 (hit)', (key) => patterns.getOrSet(key, () => value), true);
const { l1: levels } = patterns.stats;
console.log(`\nPatternCache stats: L1 hit rate ${(levels.l1.hitRate * 100).toFixed(3)}%, L1 entries ${levels.l1.entries}, bytes ${levels.l1.bytes}`);
