// Epochs tell the truth: an epoch counts as applied only once its ring is in force. A view whose
// new node does not answer yet waits (shown in stats), is retried with back-off, and applies
// once the node answers; a newer view replaces a waiting one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetNode } from '@shardcache/chaos';
import { ShardedClient, type MembershipSource, type MembershipView } from '../src/index.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 3 });
});
afterAll(() => fleet.stop());

/** A membership source the test publishes to by hand. */
function handSource(first: MembershipView): MembershipSource & { publish(view: MembershipView): void } {
  let current = first;
  const watchers = new Set<(view: MembershipView) => void>();
  return {
    description: 'by hand',
    read: () => Promise.resolve(current),
    watch: (onView) => {
      watchers.add(onView);
      return () => watchers.delete(onView);
    },
    close: () => Promise.resolve(),
    publish(view) {
      current = view;
      for (const watcher of watchers) watcher(view);
    },
  };
}

it('a node that answers late: the epoch waits (and says why), is retried, and applies once the node answers', async () => {
  const [a, b, late] = fleet.memcached as [FleetNode, FleetNode, FleetNode];
  const source = handSource({ epoch: 1, nodes: [a.address, b.address] });
  const client = await ShardedClient.open({ backend: 'memcached', membership: source, timeoutMs: 200 });
  const announced: number[] = [];
  client.on('ring:changed', () => announced.push(client.epoch));
  try {
    await late.kill();
    source.publish({ epoch: 2, nodes: [a.address, b.address, late.address] });
    // Waiting, and saying why, while the old ring is in force.
    await expect.poll(() => client.stats.membership.pending?.attempts ?? 0, { timeout: 5000, interval: 10 }).toBeGreaterThanOrEqual(2);
    expect(client.epoch).toBe(1);
    expect(client.ring.nodes.map((node) => node.id)).not.toContain(late.address);
    expect(client.stats.membership.pending).toMatchObject({ epoch: 2, waiting: expect.stringContaining(late.address) });
    const restartedAt = Date.now();
    await late.restart();
    await expect.poll(() => client.epoch, { timeout: 10_000, interval: 10 }).toBe(2);
    console.log(`membership: epoch 2 applied ${Date.now() - restartedAt} ms after its node answered (retries back off from 100 ms to 5 s)`);
    expect(client.ring.nodes.map((node) => node.id)).toContain(late.address);
    expect(client.stats.membership.pending).toBeUndefined();
    // ring:changed listeners saw the epoch of the ring they were told about.
    expect(announced).toEqual([2]);
  } finally {
    await client.close();
  }
});

it('a newer view replaces one that waits', async () => {
  const [a, b, c] = fleet.memcached as [FleetNode, FleetNode, FleetNode];
  const source = handSource({ epoch: 1, nodes: [a.address] });
  const client = await ShardedClient.open({ backend: 'memcached', membership: source, timeoutMs: 200 });
  try {
    source.publish({ epoch: 2, nodes: [a.address, '127.0.0.1:1'] });
    await expect.poll(() => client.stats.membership.pending?.epoch, { timeout: 5000, interval: 10 }).toBe(2);
    source.publish({ epoch: 3, nodes: [a.address, b.address, c.address] });
    await expect.poll(() => client.epoch, { timeout: 5000, interval: 10 }).toBe(3);
    expect(client.stats.membership.pending).toBeUndefined();
    expect(client.ring.nodes.map((node) => node.id).sort()).toEqual([a.address, b.address, c.address].sort());
    // An older view than the one in force is ignored.
    source.publish({ epoch: 2, nodes: [a.address] });
    expect(client.ring.nodes).toHaveLength(3);
  } finally {
    await client.close();
  }
});

it('a view replacing a one-node fleet applies (the ring takes the new nodes before it drops the old one)', async () => {
  // Before: the old node was removed first, and a one-node ring cannot lose its last node, so
  // the view waited forever ("it is the ring's last node"). Found by etcdMembership's fallback test.
  const [a, b, c] = fleet.memcached.map((node) => node.address);
  const source = handSource({ epoch: 1, nodes: [a ?? ''] });
  const client = await ShardedClient.open({ backend: 'memcached', membership: source });
  try {
    source.publish({ epoch: 2, nodes: [b ?? '', c ?? ''] });
    await expect.poll(() => client.epoch).toBe(2);
    expect(client.ring.nodes.map((node) => node.id)).toEqual([b, c].sort());
  } finally {
    await client.close();
  }
});
