import { describe, expect, it } from 'vitest';
import { modulaRing } from '../src/index.js';
import { digitHash, TWO_32 } from './support/digit-hash.js';

describe('modulaRing with an injected hash (worked out by hand)', () => {
  // Sorted by id, weight = slots: [a, b, b]; a key goes to slot hash % 3.
  const ring = modulaRing(['b:1:2', 'a:1'], { hash: digitHash });

  it.each([
    ['3', 'a:1'], // 3 % 3 = 0
    ['4', 'b:1'], // 1
    ['5', 'b:1'], // 2
    ['6', 'a:1'],
  ])('locate(%j) is %j', (key, owner) => {
    expect(ring.locate(key)).toBe(owner);
  });

  it('reduces hashes of 2^31 and more as unsigned values', () => {
    expect(ring.locate('4294967295')).toBe('a:1'); // 4294967295 = 3 * 1431655765: slot 0
    expect(ring.locate('2147483650')).toBe('b:1'); // 2147483650 % 3 = 1
  });

  it('computes exact shares: 2^32 = 3 * 1431655765 + 1, so slot 0 gets one value more', () => {
    expect(ring.shareOf('a:1')).toBe(1431655766 / TWO_32);
    expect(ring.shareOf('b:1')).toBe((2 * 1431655765) / TWO_32);
  });

  it('lists the following slots\' owners as the preference order', () => {
    expect(ring.locateN('5', 2)).toEqual(['b:1', 'a:1']); // slot 2, then slot 0
    expect(ring.locateN('3', 2)).toEqual(['a:1', 'b:1']);
  });

  it('moves almost every key when a node joins', () => {
    const ring3 = modulaRing(['a', 'b', 'c']);
    const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`);
    const moved = keys.filter((k) => ring3.locate(k) !== ring3.withNode('d').locate(k)).length / keys.length;
    expect(moved).toBeGreaterThan(0.6); // ideal for modulo: 3/4
  });
});
