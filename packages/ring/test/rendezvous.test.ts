import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diff, rendezvousRing, type Ring } from '../src/index.js';
import { digitHash } from './support/digit-hash.js';

describe('rendezvousRing, worked out by hand', () => {
  // digitHash gives every digit-free id seed 0 and every digit-free key hash 0: all draws are equal.
  it('breaks equal draws in favour of the smaller id, whatever the order given', () => {
    expect(rendezvousRing(['b', 'a', 'c'], { hash: digitHash }).locate('key')).toBe('a');
    expect(rendezvousRing(['c', 'b'], { hash: digitHash }).locateN('key', 5)).toEqual(['b', 'c']);
  });

  it('with equal draws the heavier node scores higher: -w / ln(u) grows with w', () => {
    const ring = rendezvousRing(['a', { id: 'b', weight: 2 }, 'c'], { hash: digitHash });
    expect(ring.locate('key')).toBe('b');
    expect(ring.locateN('key', 3)).toEqual(['b', 'a', 'c']);
  });

  it('ranks draws as signed int32 values: draw = imul(x ^ (x >>> 15), C2) with x = imul(keyHash ^ seed, C1)', () => {
    // digitHash: node "1" has seed 1, ..., key "7" has hash 7. The draws below are computed here
    // from the documented formula, so a change to the draw or its order fails this test.
    const draw = (hash: number, seed: number) => {
      const x = Math.imul(hash ^ seed, 0x85ebca6b);
      return Math.imul(x ^ (x >>> 15), 0xc2b2ae35);
    };
    const ids = ['1', '2', '3', '4', '5'];
    for (const key of ['7', '8', '9', '12', '4000000000']) {
      const hash = Number(key) | 0;
      const draws = ids.map((id) => draw(hash, Number(id)));
      expect(rendezvousRing(ids, { hash: digitHash }).locate(key)).toBe(ids[draws.indexOf(Math.max(...draws))]);
    }
  });

  it('reports expected shares w / W and an expected diff (exact: false)', () => {
    const ring = rendezvousRing(['a', { id: 'b', weight: 3 }]);
    expect(ring.shareOf('b')).toBeCloseTo(0.75, 15);
    const d = diff(ring, ring.withNode({ id: 'c', weight: 4 }));
    // c's clock rings first with probability 4/8: a loses 1/4 * 4/8, b loses 3/4 * 4/8.
    expect(d).toEqual({
      moved: expect.closeTo(0.5, 12) as unknown,
      flows: [{ from: 'b', to: 'c', share: expect.closeTo(0.375, 12) as unknown }, { from: 'a', to: 'c', share: expect.closeTo(0.125, 12) as unknown }],
      added: ['c'],
      removed: [],
      exact: false,
    });
    expect(() => diff(ring, ring.withWeights({ a: 2 }))).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED' }));
  });
});

const keys = Array.from({ length: 4000 }, (_, i) => `key:${i}`);
const ids = fc.uniqueArray(fc.stringMatching(/^[a-z0-9.-]{1,10}$/), { minLength: 2, maxLength: 24 });
const placements = (ring: Ring, count = 300) => keys.slice(0, count).map((k) => ring.locate(k));

describe('rendezvousRing properties', () => {
  it('depends only on the node set, never on insertion order', () => {
    fc.assert(
      fc.property(ids.chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length }))), ([list, shuffled]) => {
        expect(placements(rendezvousRing(shuffled))).toEqual(placements(rendezvousRing(list)));
        let grown = rendezvousRing(shuffled.slice(0, 1));
        for (const id of shuffled.slice(1)) grown = grown.withNode(id);
        expect(placements(grown)).toEqual(placements(rendezvousRing(list)));
      }),
      { numRuns: 30 },
    );
  });

  it('locate agrees with the first of locateN (a plain sort of scores) for every node count, weighted or not', () => {
    // locate scans sixteen nodes per pass, then one by one; locateN scores every node and sorts.
    for (let n = 1; n <= 40; n++) {
      const list = Array.from({ length: n }, (_, i) => `node-${i}`);
      const plain = rendezvousRing(list);
      const weighted = rendezvousRing(list.map((id, i) => ({ id, weight: 1 + (i % 3) * 0.5 })));
      for (const key of keys.slice(0, 200)) {
        expect(plain.locate(key)).toBe(plain.locateN(key, 1)[0]);
        expect(weighted.locate(key)).toBe(weighted.locateN(key, 1)[0]);
      }
    }
  });

  it('on remove moves only the removed node\'s keys, each to its second choice', () => {
    fc.assert(
      fc.property(ids, fc.nat(), (list, pick) => {
        const a = rendezvousRing(list);
        const victim = list[pick % list.length] ?? '';
        const b = a.withoutNode(victim);
        for (const key of keys.slice(0, 500)) {
          const [first = '', second = ''] = a.locateN(key, 2);
          expect(first).toBe(a.locate(key));
          expect(b.locate(key)).toBe(first === victim ? second : first);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('on add moves keys only to the new node, as many as diff expects (within 5 sigma)', () => {
    fc.assert(
      fc.property(ids, fc.integer({ min: 1, max: 4 }), (list, weight) => {
        const a = rendezvousRing(list);
        const b = a.withNode({ id: 'NEW', weight });
        const moved = keys.filter((k) => a.locate(k) !== b.locate(k));
        expect(moved.every((k) => b.locate(k) === 'NEW')).toBe(true);
        const d = diff(a, b);
        expect(d.moved).toBeCloseTo(weight / (list.length + weight), 12);
        const sigma = Math.sqrt((d.moved * (1 - d.moved)) / keys.length);
        expect(Math.abs(moved.length / keys.length - d.moved)).toBeLessThanOrEqual(5 * sigma);
      }),
      { numRuns: 30 },
    );
  });

  it('places keys in proportion to weight (sampled shares within 5 sigma of shareOf)', () => {
    const ring = rendezvousRing([{ id: 'a', weight: 1 }, { id: 'b', weight: 2 }, { id: 'c', weight: 0.5 }, 'd', 'e']);
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(ring.locate(k), (counts.get(ring.locate(k)) ?? 0) + 1);
    for (const node of ring.nodes) {
      const p = ring.shareOf(node.id);
      const sigma = Math.sqrt((p * (1 - p)) / keys.length);
      expect(Math.abs((counts.get(node.id) ?? 0) / keys.length - p)).toBeLessThanOrEqual(5 * sigma);
    }
  });

  it('diff flows match sampled flows for random membership changes (within 5 sigma)', () => {
    fc.assert(
      fc.property(ids, ids, (x, y) => {
        const a = rendezvousRing(x);
        const b = rendezvousRing(y);
        const d = diff(a, b);
        expect(d.flows.reduce((s, f) => s + f.share, 0)).toBeCloseTo(d.moved, 12);
        const sampled = keys.filter((k) => a.locate(k) !== b.locate(k)).length / keys.length;
        const sigma = Math.sqrt(Math.max(0, d.moved * (1 - d.moved)) / keys.length);
        expect(Math.abs(sampled - d.moved)).toBeLessThanOrEqual(5 * sigma + 1e-9);
      }),
      { numRuns: 25 },
    );
  });
});
