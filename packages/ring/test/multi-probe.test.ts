import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diff, multiProbeRing, type Ring } from '../src/index.js';
import { digitHash, TWO_32 } from './support/digit-hash.js';

describe('multiProbeRing with an injected hash (worked out by hand)', () => {
  // Points "2-0" = 20, "4-0" = 40, "6-0" = 60. Probe 0 is the key's own hash.
  it.each([
    ['23', '4'],
    ['41', '6'],
    ['61', '2'], // wraps past 60
  ])('with one probe it is consistent hashing: locate(%j) is %j', (key, owner) => {
    expect(multiProbeRing(['2', '4', '6'], { hash: digitHash, probes: 1 }).locate(key)).toBe(owner);
  });

  it('a probe on a point is at distance 0 and wins whatever the other probes find', () => {
    expect(multiProbeRing(['2', '4', '6'], { hash: digitHash, probes: 21 }).locate('40')).toBe('4');
  });

  it('computes the expected share in closed form: two arcs a <= 1/2 and k probes give (1 - (1 - 2a)^k) / 2', () => {
    const a = 20 / TWO_32; // "4" owns (20, 40]
    const ring = multiProbeRing(['2', '4'], { hash: digitHash, probes: 3 });
    expect(ring.shareOf('4')).toBeCloseTo((1 - (1 - 2 * a) ** 3) / 2, 20);
    expect(ring.shareOf('2')).toBeCloseTo(1 - (1 - (1 - 2 * a) ** 3) / 2, 14);
  });

  it('validates probes, and has no closed-form diff', () => {
    for (const probes of [0, 1.5, 2000]) {
      expect(() => multiProbeRing(['a'], { probes })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG', option: 'probes' }));
    }
    const ring = multiProbeRing(['a', 'b']);
    expect(() => diff(ring, ring.withNode('c'))).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED' }));
  });
});

const keys = Array.from({ length: 4000 }, (_, i) => `key:${i}`);
const ids = fc.uniqueArray(fc.stringMatching(/^[a-z0-9.-]{1,10}$/), { minLength: 2, maxLength: 24 });
const placements = (ring: Ring) => keys.slice(0, 300).map((k) => ring.locate(k));

describe('multiProbeRing properties', () => {
  it('depends only on the node set, never on insertion order', () => {
    fc.assert(
      fc.property(ids.chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length }))), ([list, shuffled]) => {
        expect(placements(multiProbeRing(shuffled))).toEqual(placements(multiProbeRing(list)));
      }),
      { numRuns: 30 },
    );
  });

  it('on remove moves only the removed node\'s keys, each to locateN\'s second choice', () => {
    fc.assert(
      fc.property(ids, fc.nat(), (list, pick) => {
        const a = multiProbeRing(list);
        const victim = list[pick % list.length] ?? '';
        const b = a.withoutNode(victim);
        for (const key of keys.slice(0, 300)) {
          const [first = '', second = ''] = a.locateN(key, 2);
          expect(first).toBe(a.locate(key));
          expect(b.locate(key)).toBe(first === victim ? second : first);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('on add moves keys only to the new node', () => {
    fc.assert(
      fc.property(ids, (list) => {
        const a = multiProbeRing(list);
        const b = a.withNode('NEW');
        expect(keys.slice(0, 1000).every((k) => a.locate(k) === b.locate(k) || b.locate(k) === 'NEW')).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('places keys as shareOf expects (sampled within 5 sigma), balanced within 1.05 at 100 nodes', () => {
    fc.assert(
      fc.property(ids, (list) => {
        const ring = multiProbeRing(list);
        const counts = new Map<string, number>();
        for (const k of keys) counts.set(ring.locate(k), (counts.get(ring.locate(k)) ?? 0) + 1);
        expect(list.reduce((s, id) => s + ring.shareOf(id), 0)).toBeCloseTo(1, 12);
        for (const id of list) {
          const p = ring.shareOf(id);
          const sigma = Math.sqrt((p * (1 - p)) / keys.length);
          expect(Math.abs((counts.get(id) ?? 0) / keys.length - p)).toBeLessThanOrEqual(5 * sigma + 1e-9);
        }
      }),
      { numRuns: 20 },
    );
    const big = multiProbeRing(Array.from({ length: 100 }, (_, i) => `cache-${i}:11211`));
    expect(Math.max(...big.nodes.map((n) => big.shareOf(n.id))) * 100).toBeLessThanOrEqual(1.05);
  });
});
