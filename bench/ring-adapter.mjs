// Adapter for the shared peer harness (../shared/peers/ring-bench.mjs, contract at the top of its
// adapters/ring/candidate.mjs): CANDIDATE_RING=/path/to/bench/ring-adapter.mjs. It drives the BUILT
// package (`npx tsc -b packages/ring` first). Rings are immutable values, so add/remove swap the
// adapter's reference to a new ring, as the client does.
//
// SHARDCACHE_RING_MODE selects what is measured:
//   ketama (default)  the native ring: murmur3, 160 points per node
//   twemproxy-md5     twemproxyRing({ hash: 'md5', distribution: 'ketama' }), to compare with hashring
//   modula            modulaRing (murmur3 % n over nodes sorted by id): our own modulo floor
//   maglev            maglevRing (65537 slots)
//   rendezvous        rendezvousRing (weighted HRW, equal weights)
//   jump              jumpRing; the harness removes a middle node as the jump peers do (the last
//                     bucket takes the removed one's place), so this rebuilds the ring from that list
//   multi-probe       multiProbeRing (21 probes)
import { jumpRing, ketamaRing, maglevRing, modulaRing, multiProbeRing, rendezvousRing, twemproxyRing } from '@shardcache/ring';

const MODES = {
  ketama: {
    name: '@shardcache/ring ketama (native, murmur3, 160 points)',
    build: (nodes) => ketamaRing(nodes),
    node: (id) => id,
  },
  'twemproxy-md5': {
    name: '@shardcache/ring twemproxyRing (ketama + md5)',
    build: (nodes) => twemproxyRing({ hash: 'md5', distribution: 'ketama', servers: nodes.map((id) => `${id}:1`) }),
    node: (id) => `${id}:1`,
  },
  modula: { name: '@shardcache/ring modula', build: (nodes) => modulaRing(nodes), node: (id) => id },
  maglev: { name: '@shardcache/ring maglev (65537 slots)', build: (nodes) => maglevRing(nodes), node: (id) => id },
  rendezvous: { name: '@shardcache/ring rendezvous (HRW)', build: (nodes) => rendezvousRing(nodes), node: (id) => id },
  jump: {
    name: '@shardcache/ring jump',
    build: (nodes) => jumpRing(nodes),
    node: (id) => id,
    // Jump only drops its last bucket; like the jump peers, move the last node into the gap.
    remove: (ring, id) => {
      const ids = ring.nodes.map((n) => n.id);
      const last = ids.pop();
      return jumpRing(id === last ? ids : ids.map((x) => (x === id ? last : x)));
    },
  },
  'multi-probe': { name: '@shardcache/ring multi-probe (21 probes)', build: (nodes) => multiProbeRing(nodes), node: (id) => id },
};

export function createRingAdapter() {
  const modeName = process.env.SHARDCACHE_RING_MODE ?? 'ketama';
  const mode = MODES[modeName];
  if (mode === undefined) throw new Error(`SHARDCACHE_RING_MODE must be one of ${Object.keys(MODES).join(', ')}`);
  let ring = null;
  return {
    name: mode.name,
    build(nodes) { ring = mode.build(nodes); },
    lookup(key) { return ring.locate(key); },
    add(node) { ring = ring.withNode(mode.node(node)); },
    remove(node) { ring = mode.remove ? mode.remove(ring, node) : ring.withoutNode(node); },
  };
}
