import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diff, ketamaRing, maglevRing, modulaRing, twemproxyRing, type Ring } from '../src/index.js';
import { digitHash, TWO_32 } from './support/digit-hash.js';
import { expectFlowsBalance } from './support/flow-balance.js';

const three = { hash: digitHash, pointsPerWeight: 3 } as const;

describe('diff, worked out by hand', () => {
  it('arcs against arcs: node "3" (points 30..32) takes 23..32 from node "4"', () => {
    const before = ketamaRing(['2', '4'], three);
    const d = diff(before, before.withNode('3'));
    expect(d).toEqual({ moved: 10 / TWO_32, flows: [{ from: '4', to: '3', share: 10 / TWO_32 }], added: ['3'], removed: [], exact: true });
  });

  it('slots against slots: 2 -> 3 nodes repeats every 6 hashes; 2^32 = 6 * 715827882 + 4', () => {
    const q = 715827882;
    // residue t: before [x,y,x,y,x,y][t], after [x,y,z,x,y,z][t]; residues 0..3 occur q + 1 times.
    const d = diff(modulaRing(['x', 'y']), modulaRing(['x', 'y', 'z']));
    expect(d.moved).toBe((4 * q + 2) / TWO_32);
    expect(d.flows).toEqual([
      { from: 'x', to: 'z', share: (q + 1) / TWO_32 }, // t = 2
      { from: 'y', to: 'x', share: (q + 1) / TWO_32 }, // t = 3
      { from: 'x', to: 'y', share: q / TWO_32 }, // t = 4
      { from: 'y', to: 'z', share: q / TWO_32 }, // t = 5
    ]);
  });

  it('arcs against slots: ketama "2" owns [0,22] and [43, 2^32), "4" owns [23,42]; modula splits odd/even', () => {
    const ketama = ketamaRing(['2', '4'], three);
    const modula = modulaRing(['2', '4'], { hash: digitHash }); // even -> "2", odd -> "4"
    // 2 -> 4: odd values in [0,22] (11) and in [43, 2^32 - 1] (2147483627); 4 -> 2: even in [23,42] (10).
    const expected = [
      { from: '2', to: '4', share: (11 + 2147483627) / TWO_32 },
      { from: '4', to: '2', share: 10 / TWO_32 },
    ];
    expect(diff(ketama, modula).flows).toEqual(expected);
    expect(diff(modula, ketama).flows).toEqual(expected.map(({ from, to, share }) => ({ from: to, to: from, share })));
    expect(diff(ketama, modula).moved).toBe((11 + 2147483627 + 10) / TWO_32);
  });

  it('refuses rings that hash keys differently (no exact answer)', () => {
    expect(() => diff(ketamaRing(['a']), ketamaRing(['a'], { hash: 'md5' }))).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED' }));
    expect(() => diff(ketamaRing(['a']), { ...ketamaRing(['a']) } as Ring)).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED' }));
  });
});

const idList = fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 12 });
const anyRing = fc.oneof(
  idList.map((ids) => ketamaRing(ids, { pointsPerWeight: 40 })),
  idList.map((ids) => modulaRing(ids)),
  idList.map((ids) => maglevRing(ids, { tableSize: 257 })),
);

describe('diff properties', () => {
  it('flows add up: moved = sum of flows, and every node\'s new share = old share - out + in', () => {
    fc.assert(
      fc.property(anyRing, anyRing, (a, b) => expectFlowsBalance(a, b, diff(a, b))),
      { numRuns: 60 },
    );
  });

  it('agrees with sampling keys (within sampling error)', () => {
    fc.assert(
      fc.property(anyRing, anyRing, (a, b) => {
        const keys = Array.from({ length: 4000 }, (_, i) => `sample:${i}`);
        const sampled = keys.filter((k) => a.locate(k) !== b.locate(k)).length / keys.length;
        const sigma = Math.sqrt((diff(a, b).moved * (1 - diff(a, b).moved)) / keys.length);
        expect(Math.abs(sampled - diff(a, b).moved)).toBeLessThanOrEqual(5 * sigma + 1e-9);
      }),
      { numRuns: 25 },
    );
  });

  it('is zero from a ring to itself and to an equal ring', () => {
    const ring = twemproxyRing({ servers: ['h:1:1', 'h:2:2'] });
    expect(diff(ring, ring)).toEqual({ moved: 0, flows: [], added: [], removed: [], exact: true });
    expect(diff(ring, twemproxyRing({ servers: ['h:2:2', 'h:1:1'] })).moved).toBe(0);
  });
});
