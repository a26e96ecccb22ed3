import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diff, maglevRing, modulaRing } from '../src/index.js';
import { digitHash, TWO_32 } from './support/digit-hash.js';

describe('maglevRing with an injected hash and a 7-slot table (worked out by hand)', () => {
  // Node "1": offset "1-0" = 10 % 7 = 3, skip "1-1" = 11 % 6 + 1 = 6: preferences 3 2 1 0 6 5 4.
  // Node "2": offset 20 % 7 = 6, skip 21 % 6 + 1 = 4: preferences 6 3 0 4 1 5 2.
  // Turns: "1" 3, "2" 6; "1" 2, "2" 0 (3 taken); "1" 1, "2" 4; "1" 5 (0, 6 taken): table full.
  // Table: [2, 1, 1, 1, 2, 1, 2].
  const ring = maglevRing(['2', '1'], { hash: digitHash, tableSize: 7 });

  it.each([
    ['7', '2'], // 7 % 7 = slot 0
    ['8', '1'], // slot 1
    ['10', '1'], // slot 3
    ['11', '2'], // slot 4
    ['12', '1'], // slot 5
    ['13', '2'], // slot 6
  ])('locate(%j) is %j', (key, owner) => {
    expect(ring.locate(key)).toBe(owner);
  });

  it('reduces hashes of 2^31 and more as unsigned values (integer division, not a float remainder)', () => {
    // 4294967295 = 7 * 613566756 + 3: slot 3; 2147483653 = 7 * 306783379: slot 0; 3000000001 % 7 = 5.
    expect(ring.locate('4294967295')).toBe('1');
    expect(ring.locate('2147483653')).toBe('2');
    expect(ring.locate('3000000001')).toBe('1');
    for (const key of ['4294967295', '2147483653', '3000000001', '2147483648']) {
      expect(ring.locateN(key, 1)).toEqual([ring.locate(key)]);
    }
  });

  it('computes exact shares from slots: 2^32 = 7 * 613566756 + 4, so slots 0..3 get one value more', () => {
    const q = 613566756;
    expect(ring.shareOf('1')).toBe((4 * q + 3) / TWO_32); // slots 1, 2, 3, 5
    expect(ring.shareOf('2')).toBe((3 * q + 1) / TWO_32); // slots 0, 4, 6
  });

  it('claims in proportion to weight: at weight 2, node "1" takes a slot every round and "2" every second', () => {
    // Rounds: "1" 3; "1" 2, "2" 6; "1" 1; "1" 0, "2" 4 (3, 0 taken); "1" 5. Table: [1, 1, 1, 1, 2, 1, 2].
    const weighted = ring.withWeights({ '1': 2 });
    expect(['7', '8', '9', '10', '11', '12', '13'].map((k) => weighted.locate(k))).toEqual(['1', '1', '1', '1', '2', '1', '2']);
  });

  it('refuses a table size that is not a prime, or too small for the nodes', () => {
    for (const tableSize of [65536, 1, 0, 2.5, Number.NaN, 2 ** 24 + 43]) {
      expect(() => maglevRing(['a'], { tableSize })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG', option: 'tableSize' }));
    }
    expect(() => maglevRing(['a', 'b', 'c'], { tableSize: 2 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG', option: 'tableSize' }));
  });
});

const ids = fc.uniqueArray(fc.stringMatching(/^[a-z0-9.-]{1,10}$/), { minLength: 2, maxLength: 20 });
const keys = Array.from({ length: 300 }, (_, i) => `key:${i}`);

describe('maglevRing properties', () => {
  it('depends only on the node set, never on insertion order', () => {
    fc.assert(
      fc.property(ids.chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length }))), ([list, shuffled]) => {
        const a = maglevRing(list, { tableSize: 1009 });
        const b = maglevRing(shuffled, { tableSize: 1009 });
        expect(keys.map((k) => b.locate(k))).toEqual(keys.map((k) => a.locate(k)));
        expect(diff(a, b).moved).toBe(0);
      }),
      { numRuns: 30 },
    );
  });

  it('is balanced to within one slot of the quota (max/mean <= 1.01 at 100 nodes)', () => {
    const ring = maglevRing(Array.from({ length: 100 }, (_, i) => `cache-${i}:11211`));
    const shares = ring.nodes.map((n) => ring.shareOf(n.id));
    expect(Math.max(...shares) * 100).toBeLessThanOrEqual(1.01);
  });

  it('moves about 1/(n+1) on add, mostly to the new node, exactly (diff from the two tables)', () => {
    fc.assert(
      fc.property(ids, (list) => {
        const a = maglevRing(list);
        const d = diff(a, a.withNode('NEW'));
        expect(d.exact).toBe(true);
        const toNew = d.flows.filter((f) => f.to === 'NEW').reduce((s, f) => s + f.share, 0);
        expect(toNew).toBeCloseTo(a.withNode('NEW').shareOf('NEW'), 12);
        expect(d.moved).toBeLessThan(2 / (list.length + 1));
        // Maglev's extra movement between survivors has no law to bound it: measured over 6,000
        // random fleets of 2-20 nodes it was at most 0.26 of what moved to the new node, and up
        // to 0.04 of all keys at 2 nodes (an absolute 0.02 here failed a CI run: ["8.q", "."]).
        // Asserted: most of what moves goes to the new node, on a fixed seed (a measured bound).
        expect(d.moved - toNew).toBeLessThan(toNew / 2);
      }),
      { numRuns: 25, seed: 20261207 },
    );
    // The counterexample that failed the old absolute bound holds under this one.
    const a = maglevRing(['8.q', '.']);
    const d = diff(a, a.withNode('NEW'));
    const toNew = d.flows.filter((f) => f.to === 'NEW').reduce((s, f) => s + f.share, 0);
    expect({ over2Percent: d.moved - toNew > 0.02, underHalf: d.moved - toNew < toNew / 2 }).toEqual({ over2Percent: true, underHalf: true });
  });

  it('diff against modula is exact too (slot tables of coprime sizes)', () => {
    const d = diff(maglevRing(['a', 'b', 'c'], { tableSize: 13 }), modulaRing(['a', 'b', 'c']));
    expect(d.exact).toBe(true);
    expect(d.flows.reduce((s, f) => s + f.share, 0)).toBeCloseTo(d.moved, 12);
  });
});
