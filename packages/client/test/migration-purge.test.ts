// The purge between migrate and the ring swap, step by step on in-memory nodes: calls are held
// or failed at chosen points, so each ordering is produced on purpose rather than by timing.
import { describe, expect, it } from 'vitest';
import { ConnectionError, ShardedClient, type DumpedItem, type MembershipChange, type ShardedClientOptions } from '../src/index.js';
import { memoryNode, type MemoryNodeHooks } from './support/memory-node.js';

const NODES = ['a:1', 'b:1', 'c:1', 'd:1'];
const KEYS = Array.from({ length: 400 }, (_, i) => `k${i}`);

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

function deferred(): Deferred {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Four in-memory nodes holding KEYS = 'v1', and the keys `change` moves with their new owners. */
async function setUp(change: MembershipChange, hooks: Record<string, MemoryNodeHooks> = {}, options: Partial<ShardedClientOptions> = {}) {
  const stores = new Map<string, Map<string, DumpedItem>>();
  const storeOf = (id: string): Map<string, DumpedItem> => {
    const items = stores.get(id) ?? new Map<string, DumpedItem>();
    stores.set(id, items);
    return items;
  };
  const factory: ShardedClientOptions['nodeFactory'] = (address) => memoryNode(address.id, storeOf(address.id), hooks[address.id]);
  const client = new ShardedClient({ backend: 'memcached', nodes: NODES, nodeFactory: factory, ...options });
  await client.setMany(KEYS.map((key) => ({ key, value: 'v1' })), { throwOnPartialFailure: true });
  const after = NODES.filter((id) => !(change.remove ?? []).includes(id)).concat((change.add ?? []).map(String));
  const probe = new ShardedClient({ backend: 'memcached', nodes: after, nodeFactory: (address) => memoryNode(address.id, new Map()) });
  const moving = new Map(KEYS.filter((key) => probe.locate(key) !== client.locate(key)).map((key) => [key, probe.locate(key) ?? '']));
  await probe.destroy();
  return { client, moving: [...moving.keys()], newOwner: (key: string) => moving.get(key), storeOf };
}

describe('the purge before a migrated change swaps the ring', () => {
  it('makes a write issued during the purge delete its own copy at the new owner before it resolves', async () => {
    const reached = deferred();
    const release = deferred();
    const change = { add: ['e:1'] };
    // The purge of the keys written before applyChange is held at the new node.
    const { client, moving, storeOf } = await setUp(change, { 'e:1': { deleteMany: () => (reached.resolve(), release.promise) } });
    const [before, single, many, deleted] = moving as [string, string, string, string];
    await client.migrate(change);
    expect([before, single, many, deleted].every((key) => storeOf('e:1').get(key)?.payload.toString() === 'v1')).toBe(true);
    await client.set(before, 'v2');
    expect(client.stats.migration).toEqual({ pending: true, tracked: 1 });

    const applying = client.applyChange(change);
    await reached.promise;
    // Written while the purge runs and the ring has not swapped yet: not in the purge's list.
    await client.set(single, 'v2');
    await client.setMany([{ key: many, value: 'v2' }], { throwOnPartialFailure: true });
    await client.deleteMany([deleted], { throwOnPartialFailure: true });
    expect([single, many, deleted].filter((key) => storeOf('e:1').has(key))).toEqual([]);
    expect(client.locate(single)).not.toBe('e:1');
    release.resolve();
    await applying;

    // The new node misses them; warm-up (on by default) reads the previous owner, never the copy.
    expect(client.locate(single)).toBe('e:1');
    expect(await Promise.all([before, single, many, deleted].map((key) => client.get(key)))).toEqual(['v2', 'v2', 'v2', undefined]);
    await client.destroy();
  });

  it('holds the swap when a purge fails: applyChange rejects with the node error, nothing moves, and a retry purges', async () => {
    let failures = 1;
    const change = { add: ['e:1'] };
    const hooks = { 'e:1': { deleteMany: () => (failures-- > 0 ? Promise.reject(new ConnectionError('e:1', 'connection reset')) : Promise.resolve()) } };
    const { client, moving, storeOf } = await setUp(change, hooks, { warmupMs: 0 });
    const key = moving[0] ?? '';
    const owner = client.locate(key);
    await client.migrate(change);
    await client.set(key, 'v2');

    await expect(client.applyChange(change)).rejects.toMatchObject({ code: 'ERR_CONNECTION', node: 'e:1' });
    expect(client.locate(key)).toBe(owner);
    expect(client.stats.migration).toEqual({ pending: true, tracked: 1 });
    expect(storeOf('e:1').get(key)?.payload.toString()).toBe('v1');
    expect(await client.get(key)).toBe('v2');

    await client.applyChange(change);
    expect(client.locate(key)).toBe('e:1');
    expect(storeOf('e:1').has(key)).toBe(false);
    expect(await client.get(key)).toBeUndefined();
    expect(client.stats.migration).toEqual({ pending: false, tracked: 0 });
    await client.destroy();
  });

  it('hands the copies on an ejected new owner to rejoin safety, which purges them before it returns', async () => {
    const change = { remove: ['a:1'] };
    const { client, moving, newOwner, storeOf } = await setUp(change, {}, { warmupMs: 0, rejoin: { stableMs: 0 } });
    await client.migrate(change);
    await client.setMany(moving.map((key) => ({ key, value: 'v2' })), { throwOnPartialFailure: true });
    const out = newOwner(moving[0] ?? '') ?? '';
    const copies = moving.filter((key) => newOwner(key) === out);
    client.eject(out);

    await client.applyChange(change);
    expect(client.stats.rejoinTracked[out]).toBe(copies.length);
    expect(copies.every((key) => storeOf(out).get(key)?.payload.toString() === 'v1')).toBe(true);
    await client.restore(out);
    expect(client.ejected).toEqual([]);
    expect(copies.filter((key) => storeOf(out).has(key))).toEqual([]);
    const { values } = await client.getMany(moving);
    expect(values.filter((value) => value === 'v1')).toEqual([]);
    await client.destroy();
  });

  it('waits for a migration still copying before it purges and swaps', async () => {
    const reached = deferred();
    const release = deferred();
    const change = { add: ['e:1'] };
    const hooks = { 'e:1': { restore: () => (reached.resolve(), release.promise) } };
    const { client, moving } = await setUp(change, hooks, { warmupMs: 0 });
    const migrating = client.migrate(change, { concurrency: 1, batchSize: 50 });
    await reached.promise;
    const applying = client.applyChange(change);
    // One turn of the event loop: every step of applyChange that does not wait for the migration is done.
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.locate(moving[0] ?? '')).not.toBe('e:1');
    release.resolve();
    await migrating;
    await applying;
    expect(client.locate(moving[0] ?? '')).toBe('e:1');
    await client.destroy();
  });
});

// Found by the nemesis (redis, seed 1): a node out of the ring no longer serves its keys; a key
// deleted meanwhile on its failover node (which, under `next`, is where removing the node moves
// it) must not get the ejected node's older value back from a migration. Drained (ejected, then
// migrated), its other keys are copied as before.
describe('a migration whose source is out of the ring', () => {
  it('copies none of the keys it missed, so a key deleted on its failover node stays deleted', async () => {
    const { client, storeOf, newOwner } = await setUp({ remove: ['a:1'] });
    try {
      const [deleted, kept] = KEYS.filter((candidate) => client.locate(candidate) === 'a:1') as [string, string];
      client.eject('a:1');
      const failover = client.locate(deleted) as string;
      expect(await client.delete(deleted)).toBe(false); // nothing there: the value is on a:1
      expect(storeOf('a:1').has(deleted)).toBe(true);
      const result = await client.migrate({ remove: ['a:1'] });
      expect(result).toMatchObject({ completed: true, failed: 0 });
      expect(result.skipped).toBeGreaterThanOrEqual(1);
      expect(storeOf(failover).has(deleted)).toBe(false);
      expect(await client.get(deleted)).toBeUndefined();
      // A key nobody touched while a:1 was out is copied to its new owner.
      expect(storeOf(newOwner(kept) as string).has(kept)).toBe(true);
    } finally {
      await client.destroy();
    }
  });

  it('stops when the source is out of the ring and its tracking overflowed', async () => {
    const { client } = await setUp({ remove: ['a:1'] }, {}, { rejoin: { maxTrackedKeys: 1 } });
    try {
      client.eject('a:1');
      await client.deleteMany(KEYS); // a:1's keys deleted on their failover nodes: past 1 tracked key
      await expect(client.migrate({ remove: ['a:1'] })).rejects.toMatchObject({ code: 'ERR_NODE_UNAVAILABLE', node: 'a:1' });
    } finally {
      await client.destroy();
    }
  });
});

// Found by the nemesis (redis, seed 3): the copies of a migration that failed stayed at their
// destinations; 20 s later the owner was ejected, its keys failed over to those destinations
// (under `next`, a removal's destinations), and their older copies were read (151 stale).
describe('a migration that fails', () => {
  it('takes back the copies it made', async () => {
    const { client, moving, newOwner, storeOf } = await setUp({ remove: ['a:1'] }, { 'd:1': { scan: () => Promise.reject(new ConnectionError('d:1', 'reset (test)')) } });
    try {
      await expect(client.migrate({ remove: ['a:1'] }, { concurrency: 1 })).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
      // a:1 was copied before d:1 failed; none of its copies is left, and every key reads its own value.
      await expect.poll(() => moving.filter((key) => storeOf(newOwner(key) as string).has(key))).toEqual([]);
      for (const key of moving.slice(0, 20)) expect(await client.get(key)).toBe('v1');
    } finally {
      await client.destroy();
    }
  });
});
