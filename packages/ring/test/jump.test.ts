import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diff, jumpHash, jumpRing, ketamaRing } from '../src/index.js';
import { digitHash } from './support/digit-hash.js';

// Test inputs only: split a 64-bit key into the uint32 halves jumpHash takes.
function halves(key: string): [number, number] {
  const v = BigInt.asUintN(64, BigInt(key));
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

describe('jumpHash matches other implementations', () => {
  // dgryski/go-jump jump_test.go, "Generated from the reference C++ code": buckets for n = 1, 2, ...
  it.each([
    ['0', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ['1', [0, 0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 17, 17]],
    ['0xdeadbeef', [0, 1, 2, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 16, 16, 16]],
    ['0x0ddc0ffeebadf00d', [0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 15, 15, 15, 15]],
  ])('reference C++: key %s', (key, buckets) => {
    const [hi, lo] = halves(key);
    expect(buckets.map((_, i) => jumpHash(hi, lo, i + 1))).toEqual(buckets);
  });

  // google/guava HashingTest.testConsistentHash_linearCongruentialGeneratorCompatibility.
  it('Guava golden100: keys 0..19 in 100 buckets', () => {
    const golden100 = [0, 55, 62, 8, 45, 59, 86, 97, 82, 59, 73, 37, 17, 56, 86, 21, 90, 37, 38, 83];
    expect(golden100.map((_, i) => jumpHash(0, i, 100))).toEqual(golden100);
  });

  it.each([
    ['10863919174838991', 11, 6],
    ['2016238256797177309', 11, 3],
    ['1673758223894951030', 11, 5],
    ['2', 100001, 80343],
    ['2201', 100001, 22152],
    ['2202', 100001, 15018],
  ] as const)('Guava: consistentHash(%s, %i) = %i', (key, buckets, expected) => {
    const [hi, lo] = halves(key);
    expect(jumpHash(hi, lo, buckets)).toBe(expected);
  });

  it('Guava correctness property: the bucket only ever changes to the newest bucket', () => {
    for (const key of ['-1', '0', '1', '2', '9223372036854775807', '-9223372036854775808', '0x123456789abcdef0']) {
      const [hi, lo] = halves(key);
      let last = 0;
      for (let n = 1; n <= 20000; n++) {
        const b = jumpHash(hi, lo, n);
        if (b !== last) expect(b).toBe(n - 1);
        last = b;
      }
    }
  });

  it('names the bad argument', () => {
    expect(() => jumpHash(0, 1, 0)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG', option: 'buckets' }));
    expect(() => jumpHash(-1, 1, 2)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG', option: 'keyHigh' }));
    expect(() => jumpHash(0, 2 ** 32, 2)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG', option: 'keyLow' }));
  });
});

describe('jumpRing with an injected hash (worked out from the vectors)', () => {
  // digitHash('1') = 1, and jump(1, n) is 0 for n <= 6 and 6 for 7 <= n <= 17 (vectors above).
  const shards = (n: number) => Array.from({ length: n }, (_, i) => `s${String.fromCharCode(97 + i)}`); // no digits in ids
  it('places key "1" in bucket 0 of 6 and bucket 6 of 7, in the order given', () => {
    expect(jumpRing(shards(6), { hash: digitHash }).locate('1')).toBe('sa');
    expect(jumpRing(shards(7), { hash: digitHash }).locate('1')).toBe('sg');
    expect(jumpRing(shards(7).reverse(), { hash: digitHash }).locate('1')).toBe('sa'); // bucket 6 is now "sa"
  });

  it('only removes the last bucket; other removals and weights fail with ERR_UNSUPPORTED', () => {
    const ring = jumpRing(shards(7), { hash: digitHash });
    expect(ring.withoutNode('sg').locate('1')).toBe('sa');
    expect(() => ring.withoutNode('sc')).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED' }));
    expect(() => ring.withWeights({ sa: 2 })).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED' }));
    expect(() => jumpRing([{ id: 'a', weight: 3 }])).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED' }));
    expect(() => ring.withoutNode('zz')).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_NODE' }));
    expect(() => jumpRing(['a']).withoutNode('a')).toThrow(expect.objectContaining({ code: 'ERR_RING_EMPTY' }));
    expect(ring.withWeights({ sa: 1 }).locate('1')).toBe('sg');
  });

  it('has expected shares 1/n and an expected diff labelled exact: false', () => {
    const ring = jumpRing(['a', 'b', 'c']);
    expect(ring.shareOf('b')).toBeCloseTo(1 / 3, 15);
    const d = diff(ring, ring.withNode('d'));
    expect(d.exact).toBe(false);
    expect(d.moved).toBeCloseTo(1 / 4, 12);
    expect(d.flows).toEqual(['a', 'b', 'c'].map((from) => ({ from, to: 'd', share: expect.closeTo(1 / 12, 12) as unknown })));
    expect(() => diff(ring, ketamaRing(['a', 'b', 'c']))).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED' }));
  });
});

const keys = Array.from({ length: 3000 }, (_, i) => `key:${i}`);
const idList = fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 30 });

describe('jumpRing properties', () => {
  it('depends only on the current bucket list, never on the changes that led to it', () => {
    fc.assert(
      fc.property(idList, fc.integer({ min: 0, max: 5 }), (list, drop) => {
        const cut = Math.max(1, list.length - drop);
        let grown = jumpRing(list.slice(0, 1));
        for (const id of list.slice(1)) grown = grown.withNode(id);
        for (const id of list.slice(cut).reverse()) grown = grown.withoutNode(id);
        const direct = jumpRing(list.slice(0, cut));
        expect(keys.slice(0, 300).map((k) => grown.locate(k))).toEqual(keys.slice(0, 300).map((k) => direct.locate(k)));
      }),
      { numRuns: 40 },
    );
  });

  it('on add moves keys only to the new bucket, ~1/(n+1) of them, as diff expects', () => {
    fc.assert(
      fc.property(idList, (list) => {
        const a = jumpRing(list);
        const b = a.withNode('NEW');
        const moved = keys.filter((k) => a.locate(k) !== b.locate(k));
        expect(moved.every((k) => b.locate(k) === 'NEW')).toBe(true);
        const expected = diff(a, b).moved;
        expect(expected).toBeCloseTo(1 / (list.length + 1), 12);
        const sigma = Math.sqrt((expected * (1 - expected)) / keys.length);
        expect(Math.abs(moved.length / keys.length - expected)).toBeLessThanOrEqual(5 * sigma);
      }),
      { numRuns: 30 },
    );
  });

  it('locateN lists distinct ids, the owner first', () => {
    const ring = jumpRing(['a', 'b', 'c', 'd', 'e']);
    for (const k of keys.slice(0, 200)) {
      const all = ring.locateN(k, 9);
      expect(all[0]).toBe(ring.locate(k));
      expect(new Set(all).size).toBe(5);
    }
  });
});
