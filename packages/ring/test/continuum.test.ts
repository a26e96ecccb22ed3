import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashKey, ketamaRing } from '../src/index.js';
import { buildContinuum, decodeContinuum, ownerAt, pointIndex } from '../src/internal/continuum.js';

interface Point {
  readonly value: number;
  readonly owner: number;
}

/** The plain continuum: points sorted by value (stable: insertion order on ties), then binary search. */
function sortedPoints(points: readonly Point[]): Point[] {
  return [...points].sort((a, b) => a.value - b.value);
}

function lowerBound(sorted: readonly Point[], hash: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid]?.value ?? 0) < hash) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function plainOwner(sorted: readonly Point[], hash: number): number {
  const at = lowerBound(sorted, hash);
  return (at === sorted.length ? sorted[0] : sorted[at])?.owner ?? -1;
}

const uint32 = fc.integer({ min: 0, max: 0xffffffff });
// Spread points, points crowded into a few buckets (a weak hash: scans and bisections), and
// copies of one value (ties), in one set.
const pointValue = fc.oneof(uint32, fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0xfffffe00, max: 0xffffffff }), fc.constant(0x80000000));

/** Points in tie-break order (owners ascending), as the ring builders add them. */
const pointSets = fc
  .tuple(fc.integer({ min: 1, max: 70_000 }), fc.array(fc.tuple(pointValue, fc.nat()), { minLength: 1, maxLength: 400 }))
  .map(([ownerCount, raw]) => ({
    ownerCount,
    points: raw.map(([value, owner]) => ({ value, owner: owner % ownerCount })).sort((a, b) => a.owner - b.owner),
  }));

function continuumOf(points: readonly Point[], ownerCount: number): ReturnType<typeof buildContinuum> {
  return buildContinuum(Int32Array.from(points, (p) => p.value | 0), Int32Array.from(points, (p) => p.owner), ownerCount);
}

describe('continuum layout against a plain sorted array', () => {
  it('finds the same point and owner for every hash, owners of 1 to 17 bits, spread or crowded points', () => {
    fc.assert(
      fc.property(pointSets, fc.array(fc.oneof(uint32, pointValue), { minLength: 1, maxLength: 50 }), ({ ownerCount, points }, hashes) => {
        const sorted = sortedPoints(points);
        const c = continuumOf(points, ownerCount);
        for (const hash of [...hashes, ...points.map((p) => p.value), ...points.map((p) => (p.value + 1) % 2 ** 32)]) {
          const at = pointIndex(c, hash | 0);
          expect(at).toBe(lowerBound(sorted, hash));
          expect(ownerAt(c, at)).toBe(plainOwner(sorted, hash));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('decodes back to the sorted points and owners (what shares and diffs walk)', () => {
    fc.assert(
      fc.property(pointSets, ({ ownerCount, points }) => {
        const sorted = sortedPoints(points);
        const { points: values, owners } = decodeContinuum(continuumOf(points, ownerCount));
        expect([...values]).toEqual(sorted.map((p) => p.value));
        expect([...owners]).toEqual([...sorted.map((p) => p.owner), sorted[0]?.owner]);
      }),
      { numRuns: 200 },
    );
  });

  it('places keys as a binary search over the ring\'s labels does (ketamaRing, murmur3)', () => {
    const nodes = fc.uniqueArray(fc.stringMatching(/^[a-z0-9.-]{1,12}$/), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(nodes, fc.integer({ min: 1, max: 400 }), fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 200 }), (ids, perWeight, keys) => {
        const ring = ketamaRing(ids, { pointsPerWeight: perWeight });
        // Owner numbers in id order: equal points go to the smaller id.
        const byId = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const sorted = sortedPoints(byId.flatMap((id, owner) => Array.from({ length: perWeight }, (_, i) => ({ value: hashKey('murmur3', `${id}-${i}`), owner }))));
        for (const key of keys) expect(ring.locate(key)).toBe(byId[plainOwner(sorted, hashKey('murmur3', key))]);
      }),
      { numRuns: 60 },
    );
  });
});
