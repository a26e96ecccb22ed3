// `ring:changed` tells the truth: the share it announces is the share of keys whose node
// changes, sampled, for every ring type and failover policy, when a node is ejected.
import { jumpRing, ketamaRing, libmemcachedRing, maglevRing, modulaRing, multiProbeRing, rendezvousRing, twemproxyRing, type Ring } from '@shardcache/ring';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ShardedClient, type DumpedItem, type FailoverPolicy, type NodeAddress, type RingChange } from '../src/index.js';
import { memoryNode } from './support/memory-node.js';

const NODES = ['10.0.0.1:11211:1', '10.0.0.2:11211:2', '10.0.0.3:11211:1', '10.0.0.4:11211:1'];
// Hex keys: sequential names would not spread evenly under FNV (twemproxy's hash), and the
// announced share is a share of the hash space.
const SAMPLE = Array.from({ length: 20_000 }, (_, i) => createHash('sha1').update(String(i)).digest('hex').slice(0, 16));
// Three standard deviations of a share sampled from 20,000 keys is under 0.011.
const TOLERANCE = 0.011;

const RINGS = {
  ketama: (nodes) => ketamaRing(nodes.map(({ id, weight }) => ({ id, weight }))),
  twemproxy: (nodes) => twemproxyRing({ distribution: 'ketama', hash: 'fnv1a_64', servers: nodes.map(({ host, port, weight }) => `${host}:${port}:${weight}`) }),
  libmemcached: (nodes) => libmemcachedRing({ distribution: 'consistent', servers: nodes.map(({ host, port, weight }) => `${host}:${port}:${weight}`) }),
  modula: (nodes) => modulaRing(nodes.map(({ id, weight }) => ({ id, weight }))),
  jump: (nodes) => jumpRing(nodes.map(({ id }) => id)),
  rendezvous: (nodes) => rendezvousRing(nodes.map(({ id, weight }) => ({ id, weight }))),
  maglev: (nodes) => maglevRing(nodes.map(({ id }) => id), { tableSize: 1009 }),
  multiProbe: (nodes) => multiProbeRing(nodes.map(({ id }) => id)),
} satisfies Record<string, (nodes: readonly NodeAddress[]) => Ring>;

const cases = (Object.keys(RINGS) as (keyof typeof RINGS)[]).flatMap((ring) => (['next', 'rebuild', 'fail'] as const).filter((policy) => !(ring === 'jump' && policy === 'rebuild')).map((policy) => [ring, policy] as const));

describe('ring:changed on an ejection announces the share that moves', () => {
  it.each(cases)('%s ring, failover %s', async (ring, policy: FailoverPolicy) => {
    const down = new Set<string>();
    const client = new ShardedClient({
      backend: 'memcached',
      nodes: NODES,
      ring: RINGS[ring],
      failover: policy,
      health: { serverFailureLimit: 1, serverRetryTimeout: 60_000 },
      nodeFactory: (address) => memoryNode(address.id, new Map<string, DumpedItem>(), { down: () => down.has(address.id) }),
    });
    try {
      const changes: RingChange[] = [];
      client.on('ring:changed', (change) => changes.push(change));
      const before = SAMPLE.map((key) => client.locate(key));
      const victim = client.ring.nodes[1]?.id ?? '';
      const key = SAMPLE.find((candidate) => client.locate(candidate) === victim) ?? '';
      down.add(victim);
      await client.get(key).catch(() => undefined);
      expect(client.ejected).toEqual([victim]);
      // Moved: keys now served by another node (under `fail` the victim's keys have none: they miss).
      const after = SAMPLE.map((key) => client.locate(key));
      const moved = after.filter((owner, at) => owner !== undefined && owner !== before[at]).length / SAMPLE.length;
      expect(changes).toHaveLength(1);
      const announced = changes[0]?.diff.moved ?? NaN;
      expect(Math.abs(announced - moved), `announced ${announced}, sampled ${moved}`).toBeLessThan(TOLERANCE);
    } finally {
      await client.destroy();
    }
  });
});
