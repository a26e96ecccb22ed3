// Adapter for the shared peer harness (../shared/peers/ring-bench.mjs, contract at the top of its
// adapters/ring/candidate.mjs): CANDIDATE_RING=/path/to/bench/ring-adapter.mjs. It drives the BUILT
// package (`npx tsc -b packages/ring` first). Rings are immutable values, so add/remove swap the
// adapter's reference to a new ring, as the client does.
//
// SHARDCACHE_RING_MODE selects what is measured:
//   ketama (default)  the native ring: murmur3, 160 points per node
//   twemproxy-md5     twemproxyRing({ hash: 'md5', distribution: 'ketama' }), to compare with hashring
import { ketamaRing, twemproxyRing } from '@shardcache/ring';

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
    remove(node) { ring = ring.withoutNode(node); },
  };
}
