import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedLoadRouter, ketamaRing, rendezvousRing } from '../src/index.js';
import { digitHash } from './support/digit-hash.js';

describe('BoundedLoadRouter, worked out by hand', () => {
  // Key "23" belongs to "4"; clockwise after it come "6", then "2" (see ketama.test.ts).
  const router = new BoundedLoadRouter(ketamaRing(['2', '4', '6'], { hash: digitHash, pointsPerWeight: 3 }), { factor: 1.25 });

  it('sends a key to its owner while the owner has room', () => {
    expect(router.route('23', {})).toBe('4');
    // m = 2, capacity ceil(1.25 * 3 / 3) = 2: "4" at 1 has room.
    expect(router.route('23', { '4': 1, '2': 1 })).toBe('4');
  });

  it('skips full nodes in the ring\'s preference order', () => {
    // m = 5, capacity ceil(1.25 * 6 / 3) = 3: "4" at 5 is full, "6" at 0 is next.
    expect(router.route('23', new Map([['4', 5]]))).toBe('6');
    // m = 8, capacity ceil(1.25 * 9 / 3) = 4: "4" at 4 and "6" at 4 are full, "2" gets it.
    expect(router.route('23', { '4': 4, '6': 4, '2': 0 })).toBe('2');
    expect(router.capacityOf('4', 8)).toBe(4);
  });

  it('ignores ids that are not in the ring, and validates its inputs', () => {
    expect(router.route('23', { gone: 1000 })).toBe('4');
    expect(() => router.route('23', { '4': -1 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG', option: 'loads' }));
    expect(() => router.route('23', { '4': 0.5 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG', option: 'loads' }));
    for (const factor of [0.9, Number.NaN, Infinity]) {
      expect(() => new BoundedLoadRouter(ketamaRing(['a']), { factor })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG', option: 'factor' }));
    }
  });
});

describe('BoundedLoadRouter properties', () => {
  it('never lets a node exceed ceil(c x its share of the load), whatever the keys and the ring', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 12 }),
        fc.double({ min: 1, max: 2, noNaN: true }),
        fc.array(fc.string({ maxLength: 4 }), { minLength: 50, maxLength: 300 }), // repeated hot keys included
        fc.boolean(),
        (ids, factor, keys, useRendezvous) => {
          const ring = useRendezvous ? rendezvousRing(ids) : ketamaRing(ids, { pointsPerWeight: 20 });
          const router = new BoundedLoadRouter(ring, { factor });
          const loads = new Map<string, number>();
          let total = 0;
          for (const key of keys) {
            const id = router.route(key, loads);
            loads.set(id, (loads.get(id) ?? 0) + 1);
            total++;
            expect(loads.get(id)).toBeLessThanOrEqual(Math.ceil((factor * total) / ids.length));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rebuilt over another ring keeps its factor', () => {
    const router = new BoundedLoadRouter(ketamaRing(['a']), { factor: 1.5 }).withRing(ketamaRing(['a', 'b']));
    expect(router.factor).toBe(1.5);
    expect(router.ring.nodes).toHaveLength(2);
  });
});
