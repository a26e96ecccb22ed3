import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diff, ketamaRing, type Ring } from '../src/index.js';
import { digitHash, TWO_32 } from './support/digit-hash.js';

describe('ketamaRing with an injected hash (worked out by hand)', () => {
  // Node "2" has points 20, 21, 22; node "4": 40, 41, 42; node "6": 60, 61, 62.
  const ring = ketamaRing(['2', '4', '6'], { hash: digitHash, pointsPerWeight: 3 });

  it.each([
    ['2', '2'], // 2 -> first point >= 2 is 20
    ['11', '2'], // 11 -> 20
    ['22', '2'], // a point itself belongs to its node
    ['23', '4'], // 23 -> 40
    ['41', '4'],
    ['43', '6'], // 43 -> 60
    ['62', '6'],
    ['63', '2'], // past the last point: wraps to 20
    ['', '2'], // no digits: 0 -> 20
  ])('locate(%j) is %j', (key, owner) => {
    expect(ring.locate(key)).toBe(owner);
  });

  it('places a new node between the others and moves only the keys it now owns', () => {
    const more = ring.withNode('8'); // points 80, 81, 82
    expect(more.locate('63')).toBe('8');
    expect(more.locate('43')).toBe('6');
    expect(more.locate('83')).toBe('2'); // wraps past 82
  });

  it('hands a removed node keys to its clockwise successor, which locateN lists second', () => {
    expect(ring.locateN('23', 3)).toEqual(['4', '6', '2']);
    expect(ring.withoutNode('4').locate('23')).toBe('6');
    expect(ring.locateN('23', 9)).toEqual(['4', '6', '2']); // capped at the node count
    expect(ring.locateN('23', 0)).toEqual([]);
  });

  it('computes exact shares from arcs', () => {
    // "4" owns 23..42 (20 values), "6" owns 43..62, "2" owns the rest of the 2^32 values.
    expect(ring.shareOf('4')).toBe(20 / TWO_32);
    expect(ring.shareOf('6')).toBe(20 / TWO_32);
    expect(ring.shareOf('2')).toBe((TWO_32 - 40) / TWO_32);
    expect(ring.shareOf('9')).toBe(0);
  });

  it('gives weight 2 twice the points: node "4" then also owns 43..45', () => {
    const weighted = ring.withWeights({ '4': 2 }); // "4": 40..45 (labels 4-0 .. 4-5)
    expect(weighted.locate('44')).toBe('4');
    expect(weighted.locate('46')).toBe('6');
    expect(weighted.shareOf('4')).toBe(23 / TWO_32);
  });

  it('breaks ties between equal points in favour of the smaller id, whatever the order given', () => {
    // "x1" and "y1" have the same points: labels "x1-0".."x1-2" and "y1-0".."y1-2" are 10, 11, 12.
    const tie = (ids: string[]) => ketamaRing(ids, { hash: digitHash, pointsPerWeight: 3 });
    for (const r of [tie(['x1', 'y1']), tie(['y1', 'x1'])]) {
      expect(r.locate('5')).toBe('x1');
      expect(r.locate('12')).toBe('x1');
      expect(r.shareOf('x1')).toBe(1);
      expect(r.shareOf('y1')).toBe(0);
    }
  });

  it('seeds points from a node name when given, so an address can change without moving keys', () => {
    const moved = ketamaRing(['2', { id: '10.0.0.9:11211', name: '4' }, '6'], { hash: digitHash, pointsPerWeight: 3 });
    expect(moved.locate('23')).toBe('10.0.0.9:11211');
    expect(diff(ring, moved).flows).toEqual([{ from: '4', to: '10.0.0.9:11211', share: 20 / TWO_32 }]);
  });
});

describe('ketamaRing nodes', () => {
  it('parses "host:port", "host:port:weight" and "host:port:weight name"', () => {
    const ring = ketamaRing(['a:1', 'b:2:3', 'c:3:2 gamma', { id: 'd', weight: 0.5 }]);
    expect(ring.nodes).toEqual([
      { id: 'a:1', weight: 1 },
      { id: 'b:2', weight: 3 },
      { id: 'c:3', weight: 2, name: 'gamma' },
      { id: 'd', weight: 0.5 },
    ]);
    expect(ring.algorithm).toBe('ketama');
    expect(ring.hash).toBe('murmur3');
  });

  it('gives each node round(weight x 160) points, so shares follow weights', () => {
    const ring = ketamaRing(Array.from({ length: 8 }, (_, i) => ({ id: `n${i}`, weight: i < 4 ? 1 : 3 })));
    const light = ring.nodes.slice(0, 4).reduce((s, n) => s + ring.shareOf(n.id), 0);
    expect(light).toBeGreaterThan(0.15); // ideal 0.25
    expect(light).toBeLessThan(0.35);
  });
});

// No colons: "a:1:2" would be read as host:port:weight (objects avoid that parsing).
const ids = fc.uniqueArray(fc.stringMatching(/^[a-z0-9.-]{1,12}$/), { minLength: 2, maxLength: 24 });
const keys = Array.from({ length: 300 }, (_, i) => `key:${i}`);
const placements = (ring: Ring) => keys.map((k) => ring.locate(k));

describe('ketamaRing properties', () => {
  it('depends only on the node set, never on insertion order', () => {
    fc.assert(
      fc.property(ids.chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length }))), ([list, shuffled]) => {
        const a = ketamaRing(list);
        const b = ketamaRing(shuffled);
        expect(placements(b)).toEqual(placements(a));
        expect(diff(a, b).moved).toBe(0);
      }),
      { numRuns: 30 },
    );
  });

  it('moves about 1/(n+1) of the key space on add, all of it to the new node', () => {
    fc.assert(
      fc.property(ids, fc.stringMatching(/^[A-Z]{1,8}$/), (list, extra) => {
        const a = ketamaRing(list);
        const b = a.withNode(extra);
        const d = diff(a, b);
        expect(d.added).toEqual([extra]);
        expect(d.flows.every((f) => f.to === extra)).toBe(true);
        expect(d.moved).toBeCloseTo(b.shareOf(extra), 12);
        const ideal = 1 / (list.length + 1);
        expect(d.moved).toBeGreaterThan(ideal * 0.5);
        expect(d.moved).toBeLessThan(ideal * 1.6);
      }),
      { numRuns: 30 },
    );
  });

  it('on remove moves exactly the removed node\'s keys, none between the others, to locateN\'s second choice', () => {
    fc.assert(
      fc.property(ids, fc.nat(), (list, pick) => {
        const a = ketamaRing(list);
        const victim = list[pick % list.length] ?? '';
        const b = a.withoutNode(victim);
        const d = diff(a, b);
        expect(d.removed).toEqual([victim]);
        expect(d.flows.every((f) => f.from === victim)).toBe(true);
        expect(d.moved).toBeCloseTo(a.shareOf(victim), 12);
        for (const key of keys) {
          const [first = '', second = ''] = a.locateN(key, 2);
          expect(b.locate(key)).toBe(first === victim ? second : first);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('is immutable: changes return new rings and leave the original as it was', () => {
    const ring = ketamaRing(['a', 'b', 'c']);
    const before = placements(ring);
    const nodes = ring.nodes;
    ring.withNode('d');
    ring.withoutNode('a');
    ring.withWeights(new Map([['b', 5]]));
    expect(placements(ring)).toEqual(before);
    expect(ring.nodes).toBe(nodes);
    expect(ring.nodes).toEqual([{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }, { id: 'c', weight: 1 }]);
    expect(Object.isFrozen(ring.nodes)).toBe(true);
  });

  it('has shares that sum to 1', () => {
    fc.assert(
      fc.property(ids, (list) => {
        const ring = ketamaRing(list);
        expect(list.reduce((s, id) => s + ring.shareOf(id), 0)).toBeCloseTo(1, 12);
      }),
      { numRuns: 20 },
    );
  });
});
