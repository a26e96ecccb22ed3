import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ketamaRing, maglevRing, modulaRing, multiProbeRing, rendezvousRing, type Ring, type RingNodeInput } from '../src/index.js';

// Issue 11: every algorithm depends only on the current node set, never on the order nodes were
// given or the changes that led to it, so two processes given the same nodes agree on every key.
// (Jump numbers its buckets by position, so its equivalent is in jump.test.ts.)
const algorithms: Record<string, (nodes: readonly RingNodeInput[]) => Ring> = {
  ketama: (nodes) => ketamaRing(nodes, { pointsPerWeight: 40 }),
  modula: (nodes) => modulaRing(nodes),
  maglev: (nodes) => maglevRing(nodes, { tableSize: 1009 }),
  rendezvous: (nodes) => rendezvousRing(nodes),
  'multi-probe': (nodes) => multiProbeRing(nodes),
};

const keys = Array.from({ length: 200 }, (_, i) => `key:${i}`);
const placements = (ring: Ring) => keys.map((k) => ring.locate(k));
const scenario = fc
  .uniqueArray(fc.stringMatching(/^[a-z0-9.-]{1,8}$/), { minLength: 2, maxLength: 16 })
  .chain((ids) => fc.tuple(fc.constant(ids), fc.shuffledSubarray(ids, { minLength: ids.length }), fc.uniqueArray(fc.constantFrom(...ids), { maxLength: ids.length - 1 })));

describe.each(Object.entries(algorithms))('%s depends only on the node set', (_name, build) => {
  it('two processes agree: any order given, any history of additions and removals', () => {
    fc.assert(
      fc.property(scenario, ([ids, shuffled, removed]) => {
        const final = ids.filter((id) => !removed.includes(id));
        const direct = build(final);
        // Another process: starts from a shuffled list with extra nodes, adds the rest, removes some.
        let ring = build(shuffled.slice(0, 1));
        for (const id of shuffled.slice(1)) ring = ring.withNode(id);
        for (const id of removed) ring = ring.withoutNode(id);
        expect(ring.nodes).toEqual(direct.nodes);
        expect(placements(ring)).toEqual(placements(direct));
      }),
      { numRuns: 25 },
    );
  });
});
