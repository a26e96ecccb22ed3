import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diff, multiProbeRing, type Ring } from '../src/index.js';
import { digitHash, TWO_32 } from './support/digit-hash.js';
import { expectFlowsBalance } from './support/flow-balance.js';

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

  it('validates probes', () => {
    for (const probes of [0, 1.5, 2000]) {
      expect(() => multiProbeRing(['a'], { probes })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG', option: 'probes' }));
    }
  });

  it('diff with one probe is plain consistent hashing: "3" (point 30) takes (20, 30] from "4"', () => {
    const before = multiProbeRing(['2', '4'], { hash: digitHash, probes: 1 });
    expect(diff(before, before.withNode('3'))).toEqual({ moved: 10 / TWO_32, flows: [{ from: '4', to: '3', share: 10 / TWO_32 }], added: ['3'], removed: [], exact: false });
  });

  it('diff from one node to two moves the newcomer\'s whole share: (1 - (1 - 2a)^k) / 2', () => {
    const a = 20 / TWO_32; // "4" owns (20, 40]
    const d = diff(multiProbeRing(['2'], { hash: digitHash, probes: 3 }), multiProbeRing(['2', '4'], { hash: digitHash, probes: 3 }));
    expect(d.exact).toBe(false);
    expect(d.flows).toEqual([{ from: '2', to: '4', share: expect.closeTo((1 - (1 - 2 * a) ** 3) / 2, 15) as unknown }]); // to 5e-16
  });

  it('refuses a diff between rings with different probe counts', () => {
    expect(() => diff(multiProbeRing(['a', 'b']), multiProbeRing(['a', 'b'], { probes: 5 }))).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED' }));
  });
});

describe('multiProbeRing diff is the exact expectation for independent uniform probes', () => {
  // Node "i" has its one point at 10 i * 2^24 (its label "<i>-0" read as the number i0, times 2^24),
  // so a probe's owner in each ring is found here by brute force, probes from a seeded generator.
  const spread = (bytes: Uint8Array) => digitHash(bytes) * 2 ** 24;
  const pointOf = (id: string) => Number(id) * 10 * 2 ** 24;
  const owner = (ids: readonly string[], probes: readonly number[]) => {
    let best = '';
    let bestDistance = Infinity;
    for (const p of probes) {
      for (const id of ids) {
        const distance = (pointOf(id) - p + TWO_32) % TWO_32;
        if (distance < bestDistance || (distance === bestDistance && id < best)) [best, bestDistance] = [id, distance];
      }
    }
    return best;
  };

  it.each([
    ['add one', ['1', '4', '6', '9', '12'], ['1', '4', '6', '9', '12', '7']],
    ['remove one', ['1', '4', '6', '9', '12'], ['1', '6', '9', '12']],
    ['add two, remove two', ['1', '4', '6', '9', '12'], ['1', '5', '9', '12', '14', '15']],
    ['disjoint', ['2', '4', '6'], ['3', '5', '11']],
  ])('%s: every flow within 5 sigma of 100,000 simulated keys', (_name, before, after) => {
    const probes = 4;
    const d = diff(multiProbeRing(before, { hash: spread, probes }), multiProbeRing(after, { hash: spread, probes }));
    let state = 0x2545f491;
    const random = () => {
      state = (Math.imul(state, 1664525) + 1013904223) | 0;
      return state >>> 0;
    };
    const counts = new Map<string, number>();
    const samples = 100_000;
    for (let i = 0; i < samples; i++) {
      const p = Array.from({ length: probes }, random);
      const [x, y] = [owner(before, p), owner(after, p)];
      if (x !== y) counts.set(`${x}>${y}`, (counts.get(`${x}>${y}`) ?? 0) + 1);
    }
    expect(d.flows.length).toBeGreaterThan(0);
    for (const flow of d.flows) {
      const sigma = Math.sqrt((flow.share * (1 - flow.share)) / samples);
      expect(Math.abs((counts.get(`${flow.from}>${flow.to}`) ?? 0) / samples - flow.share)).toBeLessThanOrEqual(5 * sigma + 1e-9);
      counts.delete(`${flow.from}>${flow.to}`);
    }
    expect([...counts.keys()]).toEqual([]); // no flow the diff left out
  });
});

const keys = Array.from({ length: 4000 }, (_, i) => `key:${i}`);
const ids = fc.uniqueArray(fc.stringMatching(/^[a-z0-9.-]{1,10}$/), { minLength: 2, maxLength: 24 });
const placements = (ring: Ring) => keys.slice(0, 300).map((k) => ring.locate(k));

const changes = fc.record({
  list: ids,
  removed: fc.nat({ max: 3 }),
  added: fc.uniqueArray(fc.stringMatching(/^[A-Z]{1,3}$/), { maxLength: 3 }),
  weights: fc.boolean(),
});

describe('multiProbeRing properties', () => {
  it('diff: flows add up, and every node\'s new share = old share - out + in (to 1e-12)', () => {
    fc.assert(
      fc.property(changes, ({ list, removed, added, weights }) => {
        const a = multiProbeRing(list);
        const kept = list.slice(Math.min(removed, list.length - 1));
        const b = multiProbeRing([...kept.map((id, i) => ({ id, weight: weights && i === 0 ? 2 : 1 })), ...added]);
        const d = diff(a, b);
        expect(d.exact).toBe(false);
        expectFlowsBalance(a, b, d);
      }),
      { numRuns: 40 },
    );
  });

  it('diff agrees with sampling the ring\'s own probes (within 5 sigma)', () => {
    fc.assert(
      fc.property(changes, ({ list, removed, added }) => {
        const a = multiProbeRing(list);
        const b = multiProbeRing([...list.slice(Math.min(removed, list.length - 1)), ...added]);
        const sampled = keys.filter((k) => a.locate(k) !== b.locate(k)).length / keys.length;
        const { moved } = diff(a, b);
        expect(Math.abs(sampled - moved)).toBeLessThanOrEqual(5 * Math.sqrt((moved * (1 - moved)) / keys.length) + 1e-9);
      }),
      { numRuns: 30 },
    );
  });


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
