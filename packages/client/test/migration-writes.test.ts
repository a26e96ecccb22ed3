// Writes between `migrate(change)` and `applyChange(change)`, on real servers: a key rewritten on
// its current owner after the migration copied it must not read back its old value from the
// copy once the ring swaps (the client's promise: no read older than its last successful write).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '@shardcache/chaos';
import { ShardedClient, type Backend, type MembershipChange, type ShardedClientOptions } from '../src/index.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ redis: 5, memcached: 5, memcachedOptions: { memoryMb: 64 } });
});
afterAll(() => fleet.stop());

const KEYS = 2000;

interface Setup {
  readonly client: ShardedClient;
  readonly keys: readonly string[];
  readonly change: MembershipChange;
  /** Keys whose owner the change moves. */
  readonly moving: readonly string[];
}

/** A client over the first 4 nodes, every key written as 'v1', and the change (remove the first node, or add the fifth). */
async function setUp(backend: Backend, kind: 'remove' | 'add', prefix: string, options: Partial<ShardedClientOptions> = {}): Promise<Setup> {
  const servers = (backend === 'redis' ? fleet.redis : fleet.memcached).map((node) => node.address);
  const [a, b, c, d, e] = servers as [string, string, string, string, string];
  // Each test has its own prefix: the servers are shared, and a migration skips other prefixes.
  const client = new ShardedClient({ backend, nodes: [a, b, c, d], keys: { prefix: `${prefix}:` }, ...options });
  const keys = Array.from({ length: KEYS }, (_, i) => `k${i}`);
  await client.setMany(keys.map((key) => ({ key, value: 'v1', ttl: 600 })), { throwOnPartialFailure: true });
  const change: MembershipChange = kind === 'remove' ? { remove: [a] } : { add: [e] };
  // Which keys move: the same ring over the nodes after the change, without connecting.
  const after = kind === 'remove' ? [b, c, d] : [a, b, c, d, e];
  const probe = new ShardedClient({ backend, nodes: after, keys: { prefix: `${prefix}:` } });
  const moving = keys.filter((key) => probe.locate(key) !== client.locate(key));
  await probe.destroy();
  return { client, keys, change, moving };
}

/** Reads every key through the client (single gets and one getMany) and counts reads older than `newest`. */
async function staleReads(client: ShardedClient, keys: readonly string[], newest: (key: string) => string): Promise<{ stale: number; misses: number; staleMany: number }> {
  let stale = 0;
  let misses = 0;
  const singles = await Promise.all(keys.map((key) => client.get<string>(key)));
  singles.forEach((value, i) => {
    if (value === undefined) misses++;
    else if (value !== newest(keys[i] ?? '')) stale++;
  });
  const { values, failures } = await client.getMany<string>(keys);
  expect(failures).toEqual([]);
  const staleMany = values.filter((value, i) => value !== undefined && value !== newest(keys[i] ?? '')).length;
  return { stale, misses, staleMany };
}

/** The colleague's repro: migrate removing the first node, rewrite every moving key, apply, read everything. */
async function removeRewriteApply(backend: Backend, prefix: string, options: Partial<ShardedClientOptions> = {}) {
  const { client, keys, change, moving } = await setUp(backend, 'remove', prefix, options);
  try {
    const result = await client.migrate(change, { batchSize: 200 });
    expect(result).toMatchObject({ completed: true, failed: 0 });
    await client.setMany(moving.map((key) => ({ key, value: 'v2', ttl: 600 })), { throwOnPartialFailure: true });
    const tracked = client.stats.migration;
    await client.applyChange(change);
    const rewritten = new Set(moving);
    const reads = await staleReads(client, keys, (key) => (rewritten.has(key) ? 'v2' : 'v1'));
    return { reads, tracked, afterwards: client.stats.migration, moving: moving.length, migrated: result.moved };
  } finally {
    await client.close();
  }
}

describe.each<Backend>(['redis', 'memcached'])('writes between migrate and applyChange on %s', (backend) => {
  it('remove: keys rewritten after the copy read their new value or miss after the swap, never the copy', async () => {
    const run = await removeRewriteApply(backend, `${backend}:rm`);
    expect(run.migrated).toBe(run.moving);
    // The removed node held the new values: with it gone, the purged keys miss.
    expect(run.reads).toEqual({ stale: 0, misses: run.moving, staleMany: 0 });
    expect(run.tracked).toEqual({ pending: true, tracked: run.moving });
    expect(run.afterwards).toEqual({ pending: false, tracked: 0 });
    console.log(`migrate then apply, remove, ${backend}: ${KEYS} keys, ${run.moving} moved and rewritten after the copy; stale reads 0, misses ${run.reads.misses}`);
  });

  it('add: keys rewritten after the copy read their new value after the swap (warm-up reads the previous owner)', async () => {
    const { client, keys, change, moving } = await setUp(backend, 'add', `${backend}:add`);
    try {
      const result = await client.migrate(change, { batchSize: 200 });
      expect(result).toMatchObject({ completed: true, failed: 0, moved: moving.length });
      // Half the moving keys rewritten, a quarter deleted: both must reach the new owner.
      const rewritten = new Set(moving.filter((_, i) => i % 4 < 2));
      const deleted = new Set(moving.filter((_, i) => i % 4 === 2));
      await client.setMany([...rewritten].map((key) => ({ key, value: 'v2', ttl: 600 })), { throwOnPartialFailure: true });
      await client.deleteMany([...deleted], { throwOnPartialFailure: true });
      await client.applyChange(change);

      const singles = await Promise.all(keys.map((key) => client.get<string>(key)));
      const expected = keys.map((key) => (deleted.has(key) ? undefined : rewritten.has(key) ? 'v2' : 'v1'));
      expect(singles.filter((value, i) => value !== expected[i]).length).toBe(0);
      expect(client.stats.warmup.hits).toBe(rewritten.size);
    } finally {
      await client.close();
    }
  });

  it('writes racing a running migration and the swap: every key reads its last acknowledged write or misses', async () => {
    const { client, keys, change, moving } = await setUp(backend, 'remove', `${backend}:race`, { warmupMs: 0 });
    try {
      const acknowledged = new Map<string, string>();
      // Four writers rewrite their own moving keys in order, so each key's last acknowledged
      // write is known; the fifth share is rewritten once each from onProgress.
      const byWriter = [0, 1, 2, 3].map((w) => moving.filter((_, i) => i % 5 === w));
      const fromProgress = moving.filter((_, i) => i % 5 === 4);
      let writing = true;
      let migrating = true;
      let duringMigration = 0;
      const writer = async (own: readonly string[]): Promise<void> => {
        for (let round = 2; writing; round++) {
          for (const key of own) {
            if (!writing) return;
            await client.set(key, `v${round}`, { ttl: 600 });
            acknowledged.set(key, `v${round}`);
            if (migrating) duringMigration++;
          }
        }
      };
      const writers = Promise.all(byWriter.map((own) => writer(own)));
      const progressWrites: Promise<void>[] = [];
      let progressCalls = 0;
      const result = await client.migrate(change, {
        batchSize: 25,
        concurrency: 1,
        onProgress: () => {
          const chunk = fromProgress.slice(progressCalls * 10, ++progressCalls * 10);
          for (const key of chunk) progressWrites.push(client.set(key, 'p', { ttl: 600 }).then(() => void acknowledged.set(key, 'p')));
        },
      });
      migrating = false;
      expect(result).toMatchObject({ completed: true, failed: 0 });
      expect(duringMigration).toBeGreaterThan(0);
      expect(progressWrites.length).toBeGreaterThan(0);
      // The swap happens while the writers still run.
      await client.applyChange(change);
      writing = false;
      await writers;
      await Promise.all(progressWrites);

      const reads = await staleReads(client, keys, (key) => acknowledged.get(key) ?? 'v1');
      expect({ stale: reads.stale, staleMany: reads.staleMany }).toEqual({ stale: 0, staleMany: 0 });
      console.log(`writes racing migrate + apply, ${backend}: ${moving.length} moving keys, ${duringMigration} writes during the migration, ${progressWrites.length} from onProgress; stale reads 0, misses ${reads.misses}`);
    } finally {
      await client.close();
    }
  });

  it('past rejoin.maxTrackedKeys, purges by scanning the destinations instead', async () => {
    const run = await removeRewriteApply(backend, `${backend}:overflow`, { rejoin: { maxTrackedKeys: 10 } });
    expect(run.tracked).toEqual({ pending: true, tracked: Infinity });
    // Every copy the migration made is gone: the moved keys miss (the old owner left).
    expect(run.reads).toEqual({ stale: 0, misses: run.moving, staleMany: 0 });
  });
});
