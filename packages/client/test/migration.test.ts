// Migration on real servers: 100,000 keys from 4 nodes to 5 on each backend, TTLs kept,
// idempotent, resumable after a cancel.
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '@shardcache/chaos';
import { ShardedClient, type Backend } from '../src/index.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ redis: 5, memcached: 5, memcachedOptions: { memoryMb: 256 } });
});
afterAll(() => fleet.stop());

const KEYS = 100_000;
/** Keys get TTLs of 600 s up to this many seconds more, one second apart. */
const TTL_SPREAD_S = 300;

/** Value and remaining TTL in ms of each key, read straight from the server (not through the client). */
async function readDirect(backend: Backend, address: string, keys: readonly string[]): Promise<{ value: string | undefined; ttlMs: number }[]> {
  const [host, port] = address.split(':');
  if (backend === 'redis') {
    const raw = new Redis({ host, port: Number(port), lazyConnect: true });
    try {
      const pipeline = raw.pipeline();
      for (const key of keys) pipeline.get(key).pttl(key);
      const replies = (await pipeline.exec()) ?? [];
      return keys.map((_, i) => {
        const value: unknown = replies[2 * i]?.[1];
        const pttl: unknown = replies[2 * i + 1]?.[1];
        return { value: typeof value === 'string' ? value : undefined, ttlMs: typeof pttl === 'number' ? pttl : -2 };
      });
    } finally {
      raw.disconnect();
    }
  }
  // memcached meta: `mg key t v` answers `VA <size> t<ttl>` + data, or `EN`.
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port) }, () => socket.write(keys.map((key) => `mg ${key} t v\r\n`).join('')));
    let buffer = Buffer.alloc(0);
    const out: { value: string | undefined; ttlMs: number }[] = [];
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n');
        if (end === -1) break;
        const line = buffer.toString('latin1', 0, end);
        if (line.startsWith('EN')) {
          out.push({ value: undefined, ttlMs: -2 });
          buffer = buffer.subarray(end + 2);
          continue;
        }
        const match = /^VA (\d+)(?: t(-?\d+))?/.exec(line);
        if (match === null) return reject(new Error(`unexpected ${line}`));
        const size = Number(match[1]);
        if (buffer.length < end + 2 + size + 2) break;
        out.push({ value: buffer.toString('utf8', end + 2, end + 2 + size), ttlMs: Number(match[2] ?? -2) * 1000 });
        buffer = buffer.subarray(end + 2 + size + 2);
      }
      if (out.length === keys.length) {
        socket.end();
        resolve(out);
      }
    });
    socket.once('error', reject);
  });
}

describe.each<Backend>(['redis', 'memcached'])('migrating 100,000 keys from 4 %s nodes to 5', (backend) => {
  it('copies every moving key with its TTL, moves nothing the second time, and resumes after a cancel', async () => {
    const servers = backend === 'redis' ? fleet.redis : fleet.memcached;
    const [a, b, c, d, e] = servers.map((node) => node.address) as [string, string, string, string, string];
    const client = new ShardedClient({ backend, nodes: [a, b, c, d], warmupMs: 0 });
    try {
      const keys = Array.from({ length: KEYS }, (_, i) => `mig:${i}`);
      // Buffers: raw bytes, the same on the wire for both backends.
      for (let i = 0; i < KEYS; i += 2000) await client.setMany(keys.slice(i, i + 2000).map((key, j) => ({ key, value: Buffer.from(`v${i + j}`), ttl: 600 + ((i + j) % TTL_SPREAD_S) })));
      const change = { add: [e] };
      const before = new Map(keys.map((key) => [key, client.locate(key) ?? '']));

      const controller = new AbortController();
      const migrationStarted = performance.now();
      const first = await client.migrate(change, { batchSize: 1000, signal: controller.signal, onProgress: (p) => p.moved > 0 && controller.abort() });
      expect(first.completed).toBe(false);
      expect(first.moved).toBeGreaterThan(0);
      const second = await client.migrate(change, { batchSize: 1000, resumeFrom: first.checkpoint });
      // A key's TTL is read at its dump and set again at its restore: late by at most this.
      const migrationMs = performance.now() - migrationStarted;
      expect(second).toMatchObject({ completed: true, failed: 0 });
      const again = await client.migrate(change, { batchSize: 1000 });
      expect(again).toMatchObject({ completed: true, failed: 0 });
      // redis SCAN guarantees every key present throughout is returned: nothing is left. memcached's
      // `lru_crawler metadump` can miss an item its LRU maintainer moves during the crawl (seen:
      // 1 of 100,000 once, in a full CI run): such a key is copied by the next run.
      if (backend === 'redis') expect(again.moved).toBe(0);
      else expect(again.moved).toBeLessThanOrEqual(KEYS / 10_000);

      await client.applyChange(change);
      const moved = keys.filter((key) => client.locate(key) !== before.get(key));
      expect(moved.length).toBeGreaterThan(KEYS / 10);
      // memcached's resume re-scans a fresh snapshot (no cursor), so copies made before the
      // cancel count as skipped the second time; the moved keys are all there either way.
      if (backend === 'redis') expect(first.moved + second.moved).toBe(moved.length);
      expect(again.skipped).toBeGreaterThanOrEqual(moved.length);

      // Destination and sources read at the same time, so their TTLs tick together. The bound:
      // 2 s (memcached keeps whole seconds, floored at the source and counted down by the
      // destination's own once-a-second clock), plus how long the migration took (a key's TTL is
      // read at its dump and set at its restore: 384 keys were 1+ s off once on a loaded machine),
      // plus however long the reads took apart.
      const bySource = new Map<string, string[]>();
      for (const key of moved) bySource.set(before.get(key) ?? '', [...(bySource.get(before.get(key) ?? '') ?? []), key]);
      const readStarted = performance.now();
      const [atDestination, ...sources] = await Promise.all([readDirect(backend, e, moved), ...[...bySource].map(([source, sourceKeys]) => readDirect(backend, source, sourceKeys))]);
      const skew = performance.now() - readStarted;
      const sourceTtl = new Map<string, number>();
      [...bySource.values()].forEach((sourceKeys, s) => sources[s]?.forEach((entry, i) => sourceTtl.set(sourceKeys[i] ?? '', entry.ttlMs)));
      const toleranceMs = 2000 + migrationMs + skew;
      let badValue = 0;
      let badTtl = 0;
      moved.forEach((key, i) => {
        const entry = atDestination[i];
        if (entry?.value !== `v${key.slice(4)}`) badValue++;
        if (entry === undefined || Math.abs(entry.ttlMs - (sourceTtl.get(key) ?? 0)) > toleranceMs) badTtl++;
      });
      expect({ badValue, badTtl }).toEqual({ badValue: 0, badTtl: 0 });
      // The tolerance stays under half the TTLs' spread (300 s, 1 s apart), so a TTL lost or reset
      // to one value still fails for most keys (a fixed 5 s bound on the read skew alone failed at
      // 5.6 s on a loaded machine).
      expect(toleranceMs).toBeLessThan((TTL_SPREAD_S * 1000) / 2);
      console.log(`migration ${backend}: ${KEYS} keys, ${moved.length} moved (${first.moved} before the cancel, ${second.moved} after resuming), 0 failed; ${Math.round(second.rate)} keys scanned/s; the same migration again moved ${again.moved}`);
    } finally {
      await client.close();
    }
  }, 120_000);
});
