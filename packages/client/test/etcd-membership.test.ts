// etcdMembership against a real etcd (one member, Debian's etcd-server on a free loopback port)
// and real memcached: epochs are the key's mod_revision, publishes are compare-and-swap, a
// malformed list is refused by name, and etcd trouble leaves the client serving on its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdCluster, FaultProxy, startFleet, type Fleet } from '@shardcache/chaos';
import { etcdMembership, type EtcdMembership } from '../src/membership/etcd-membership.js';
import { ShardedClient } from '../src/sharded-client.js';
import type { ClientEvents } from '../src/events.js';

let fleet: Fleet;
let etcd: EtcdCluster;
beforeAll(async () => {
  [fleet, etcd] = await Promise.all([startFleet({ memcached: 4 }), EtcdCluster.start({ members: 1 })]);
});
afterAll(async () => {
  await Promise.all([fleet.stop(), etcd.stop()]);
});

const memcached = (): string[] => fleet.memcached.map((node) => node.address);
let prefixes = 0;
/** A prefix of its own per test, so tests never see each other's lists. */
const membership = (options: { prefix?: string; endpoints?: string[]; fallbackNodes?: string[] } = {}): EtcdMembership =>
  etcdMembership({ endpoints: options.endpoints ?? etcd.endpoints, prefix: options.prefix ?? `/test/${process.pid}/${++prefixes}`, ...(options.fallbackNodes === undefined ? {} : { fallbackNodes: options.fallbackNodes }) });

/** A raw put through etcd's JSON gateway: a value no `publish` would ever write. */
async function putRaw(key: string, value: string): Promise<void> {
  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  const response = await fetch(`${etcd.endpoints[0] ?? ''}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: b64(key), value: b64(value) }) });
  expect(response.status).toBe(200);
}

/** Drops etcd's history up to `revision` (what a cluster does on its own, by schedule). */
async function compact(revision: number): Promise<void> {
  const response = await fetch(`${etcd.endpoints[0] ?? ''}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: String(revision), physical: true }) });
  expect(response.status).toBe(200);
}

function collect<E extends keyof ClientEvents>(client: ShardedClient, event: E): ClientEvents[E][0][] {
  const seen: ClientEvents[E][0][] = [];
  (client.on as (event: E, listener: (payload: ClientEvents[E][0]) => void) => void)(event, (payload) => seen.push(payload));
  return seen;
}

describe('etcdMembership: epochs and compare-and-swap', () => {
  it("numbers epochs by the key's mod_revision, which other writes to etcd do not move", async () => {
    const [a, b, c] = memcached();
    const source = membership();
    const other = membership();
    try {
      const first = await source.replace([a ?? '', b ?? '']);
      expect(await source.read()).toEqual({ epoch: first, nodes: [a, b] });
      // Writes elsewhere move the cluster revision, not this key's.
      await other.replace([c ?? '']);
      await other.replace([a ?? '']);
      expect((await source.read()).epoch).toBe(first);
      const second = await source.publish({ add: [c ?? ''], remove: [a ?? ''], weights: { [b ?? '']: 2 } });
      expect(second).toBeGreaterThan(first + 2);
      expect(await source.read()).toEqual({ epoch: second, nodes: [`${b ?? ''}:2`, c] });
    } finally {
      await Promise.all([source.close(), other.close()]);
    }
  });

  it('lets one of two publishers that read the same epoch win; the other gets ERR_MEMBERSHIP_CONFLICT', async () => {
    const [a, b, c] = memcached();
    const prefix = `/test/${process.pid}/race`;
    const one = membership({ prefix });
    const two = membership({ prefix });
    try {
      const read = await one.replace([a ?? '']);
      const results = await Promise.allSettled([one.publish({ add: [b ?? ''] }, { ifEpoch: read }), two.publish({ add: [c ?? ''] }, { ifEpoch: read })]);
      const won = results.filter((result) => result.status === 'fulfilled');
      const lost = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
      expect(won).toHaveLength(1);
      expect(lost).toEqual([expect.objectContaining({ code: 'ERR_MEMBERSHIP_CONFLICT', expected: read })]);
      // The loser's node is not in the list: nothing was overwritten silently.
      const nodes = (await one.read()).nodes;
      expect(nodes).toHaveLength(2);
      // Control: read again, publish again, and it goes through.
      const again = await two.publish({ add: [nodes.includes(b ?? '') ? c ?? '' : b ?? ''] });
      expect((await two.read())).toEqual({ epoch: again, nodes: expect.arrayContaining([a, b, c]) });
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('refuses bad options with typed errors naming the option', () => {
    expect(() => etcdMembership({ endpoints: [], prefix: '/p' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'membership.endpoints' }));
    expect(() => etcdMembership({ endpoints: ['localhost'], prefix: '/p' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'membership.endpoints[0]' }));
    expect(() => etcdMembership({ endpoints: etcd.endpoints, prefix: '/' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'membership.prefix' }));
    expect(() => etcdMembership({ endpoints: etcd.endpoints, prefix: '/p', fallbackNodes: ['nope'] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'membership.fallbackNodes[0]' }));
  });
});

describe('etcdMembership: a client following it', () => {
  it('applies each published change, and refuses a malformed list by name, keeping its ring', async () => {
    const [a, b, c, d] = memcached();
    const admin = membership();
    const source = etcdMembership({ endpoints: etcd.endpoints, prefix: admin.key.replace(/\/nodes$/, '') });
    await admin.replace([a ?? '', b ?? '']);
    const client = await ShardedClient.open({ backend: 'memcached', membership: source });
    const refused = collect(client, 'membership:refused');
    try {
      const second = await admin.publish({ add: [c ?? ''] });
      await expect.poll(() => client.epoch).toBe(second);
      expect(client.ring.nodes.map((node) => node.id)).toEqual([a, b, c].sort());

      await putRaw(admin.key, JSON.stringify([a, 'not-a-node', c]));
      await expect.poll(() => refused.length).toBe(1);
      expect(refused[0]).toMatchObject({ source: source.description, entry: 'nodes[1] = "not-a-node"', epoch: expect.any(Number) as number });
      expect(client.epoch).toBe(second);
      expect(client.ring.nodes.map((node) => node.id)).toEqual([a, b, c].sort());
      await putRaw(admin.key, '{ not json');
      await expect.poll(() => refused.length).toBe(2);
      expect(refused[1]?.entry).toBe('the value "{ not json"');

      // The watch goes on: a good list after the bad ones applies.
      const fixed = await admin.replace([b ?? '', d ?? '']);
      await expect.poll(() => client.epoch).toBe(fixed);
      expect(client.ring.nodes.map((node) => node.id)).toEqual([b, d].sort());
      expect(client.stats.membership).toMatchObject({ epoch: fixed, state: 'following', pending: undefined });
    } finally {
      await client.close();
      await Promise.all([source.close(), admin.close()]);
    }
  });

  it('receives a change made while its link to etcd was cut, even once etcd compacted the history its watch would resume from', async () => {
    const [a, b, c] = memcached();
    const admin = membership();
    const proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: Number(new URL(etcd.endpoints[0] ?? '').port) } });
    const source = etcdMembership({ endpoints: [`http://${proxy.address}`], prefix: admin.key.replace(/\/nodes$/, '') });
    await admin.replace([a ?? '', b ?? '']);
    const client = await ShardedClient.open({ backend: 'memcached', membership: source });
    const statuses = collect(client, 'membership:status');
    try {
      // A change heard through the watch first: it is connected, and knows where it got to.
      const heard = await admin.publish({ weights: { [b ?? '']: 2 } });
      await expect.poll(() => client.epoch).toBe(heard);
      proxy.setFault({ type: 'reset' });
      await expect.poll(() => client.stats.membership.state).toBe('alone');
      await admin.publish({ add: [c ?? ''] });
      const cut = await admin.publish({ weights: { [c ?? '']: 2 } });
      // The watch would resume after the last revision it saw: etcd no longer has it, so it
      // cancels the watch, and only a new watch and a re-read bring the change.
      await compact(cut);
      // Cache calls go on meanwhile, on the ring in force.
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
      expect(client.epoch).toBeLessThan(cut);

      proxy.setFault(undefined);
      await expect.poll(() => client.epoch, { timeout: 5000 }).toBe(cut);
      // And the watch goes on: the next change arrives too (the resumed watch was cancelled).
      const after = await admin.publish({ remove: [c ?? ''] });
      await expect.poll(() => client.epoch, { timeout: 5000 }).toBe(after);
      await expect.poll(() => client.stats.membership.state).toBe('following');
      // Lost to the fault, back, lost again when etcd cancelled the resumed watch, back for good.
      expect(statuses.map((status) => status.state)).toEqual(['alone', 'following', 'alone', 'following']);
      expect(statuses[2]?.reason).toMatch(/lost etcd: the watch was cancelled by etcd/);
      expect(statuses[0]?.reason).toMatch(/lost etcd: /);
    } finally {
      await client.close();
      await Promise.all([source.close(), admin.close(), proxy.close()]);
    }
  });
});

describe('etcdMembership: a hung etcd', () => {
  it('is noticed by the keepalive (a paused member breaks no connection), and followed again once it answers', async () => {
    const [a] = memcached();
    const admin = membership();
    await admin.replace([a ?? '']);
    const source = etcdMembership({ endpoints: etcd.endpoints, prefix: admin.key.replace(/\/nodes$/, '') });
    const client = await ShardedClient.open({ backend: 'memcached', membership: source });
    const member = etcd.members[0];
    try {
      const heard = await admin.publish({ weights: { [a ?? '']: 2 } });
      await expect.poll(() => client.epoch).toBe(heard);
      await member?.pause();
      // Keepalive: a ping every 5 s, 2 s to answer. Without it, the state stayed `following`.
      await expect.poll(() => client.stats.membership, { timeout: 15_000 }).toMatchObject({ state: 'alone', reason: expect.stringMatching(/^lost etcd: /) as string });
      // Cache calls go on meanwhile.
      await client.set('hung:k', 'v');
      expect(await client.get('hung:k')).toBe('v');
      member?.resume();
      await expect.poll(() => client.stats.membership.state, { timeout: 10_000 }).toBe('following');
    } finally {
      member?.resume();
      await client.close();
      await Promise.all([source.close(), admin.close()]);
    }
  }, 40_000);
});

describe('etcdMembership: etcd unreachable at start', () => {
  it('fails with ERR_MEMBERSHIP_UNAVAILABLE naming the endpoints when no fallback is given', async () => {
    const down = await EtcdCluster.start({ members: 1 });
    const endpoints = down.endpoints;
    await down.stop();
    const source = etcdMembership({ endpoints, prefix: '/down', callTimeoutMs: 500 });
    try {
      const error: unknown = await ShardedClient.open({ backend: 'memcached', membership: source }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'ERR_MEMBERSHIP_UNAVAILABLE', endpoints, message: expect.stringContaining(endpoints[0] ?? '') });
    } finally {
      await source.close();
    }
  });

  it("starts alone from the fallback list, and adopts etcd's list once etcd returns", async () => {
    const [a, b, c] = memcached();
    const own = await EtcdCluster.start({ members: 1 });
    try {
      const admin = etcdMembership({ endpoints: own.endpoints, prefix: '/app' });
      const stored = await admin.replace([b ?? '', c ?? '']);
      await admin.close();
      await Promise.all(own.members.map((member) => member.kill()));

      const source = etcdMembership({ endpoints: own.endpoints, prefix: '/app', fallbackNodes: [a ?? ''], callTimeoutMs: 500 });
      const client = await ShardedClient.open({ backend: 'memcached', membership: source });
      try {
        expect(client.ring.nodes.map((node) => node.id)).toEqual([a]);
        expect(client.stats.membership).toMatchObject({ epoch: 0, state: 'alone', reason: expect.stringContaining(own.endpoints[0] ?? '') as string });
        await client.set('k', 'v');
        expect(await client.get('k')).toBe('v');

        await own.restartAll();
        const returned = Date.now();
        await expect.poll(() => client.epoch, { timeout: 10_000, interval: 10 }).toBe(stored);
        console.log(`etcd membership: etcd's list adopted ${Date.now() - returned} ms after etcd answered again (bound 5000 ms)`);
        expect(Date.now() - returned).toBeLessThanOrEqual(5000);
        expect(client.ring.nodes.map((node) => node.id)).toEqual([b, c].sort());
        expect(client.stats.membership.state).toBe('following');
      } finally {
        await client.close();
        await source.close();
      }
    } finally {
      await own.stop();
    }
  });
});
