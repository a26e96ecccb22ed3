// The router alone, on a ring worked out by hand (support/digit-ring.ts): n:4 owns keys 23..42,
// n:6 owns 43..62, n:2 the rest; a key's chain after its owner is the next node clockwise.
import { describe, expect, it } from 'vitest';
import { NodeUnavailableError } from '../../src/errors.js';
import { MISS, Router, type FailoverPolicy } from '../../src/routing/router.js';
import { DIGIT_NODES, digitRing } from '../support/digit-ring.js';

const ring = digitRing(DIGIT_NODES.map((id) => ({ id })));
const router = (policy: FailoverPolicy, ...ejected: string[]): Router => {
  const made = new Router(ring, policy);
  for (const id of ejected) made.eject(id);
  return made;
};

describe('Router (worked out by hand)', () => {
  it.each([
    ['11', 'n:2'],
    ['23', 'n:4'],
    ['42', 'n:4'],
    ['43', 'n:6'],
    ['63', 'n:2'], // past the last point: wraps to n:2's 20
  ])('routes %j to its owner %j while every node is in', (key, owner) => {
    for (const policy of ['rebuild', 'next', 'fail'] as const) {
      expect(router(policy).route(key)).toBe(owner);
      expect(router(policy).read(key)).toBe(owner);
      expect(router(policy).write(key)).toBe(owner);
    }
  });

  it('sends an ejected owner\'s keys to the next node of their chain under "next" and "rebuild", and only those', () => {
    // 23's chain is n:4, n:6, n:2; 11's owner n:2 stays in.
    for (const policy of ['next', 'rebuild'] as const) {
      const out = router(policy, 'n:4');
      expect([out.route('23'), out.route('42'), out.route('43'), out.route('11')]).toEqual(['n:6', 'n:6', 'n:6', 'n:2']);
    }
    // Two out: 23 goes past n:4 and n:6 to n:2.
    expect(router('next', 'n:4', 'n:6').route('23')).toBe('n:2');
  });

  it('answers "fail": a read of an ejected owner\'s key is a miss, a write fails naming the owner and the policy', () => {
    const out = router('fail', 'n:4');
    expect(out.read('23')).toBe(MISS);
    const refused = out.write('23');
    expect(refused).toBeInstanceOf(NodeUnavailableError);
    expect(refused).toMatchObject({ code: 'ERR_NODE_UNAVAILABLE', node: 'n:4', message: 'Node n:4 is unavailable: ejected, and the failover policy is "fail"' });
    expect(out.read('43')).toBe('n:6');
  });

  it('fails reads and writes alike when every node is out (but for "fail", where a read is a miss)', () => {
    const all = router('next', 'n:2', 'n:4', 'n:6');
    expect(all.read('23')).toMatchObject({ node: 'n:4', message: 'Node n:4 is unavailable: every node is ejected' });
    expect(all.write('43')).toMatchObject({ node: 'n:6', message: 'Node n:6 is unavailable: every node is ejected' });
    expect(router('fail', 'n:2', 'n:4', 'n:6').read('23')).toBe(MISS);
  });

  it('names who misses a write served away from its owner: the owner, and the ejected nodes ahead of the server', () => {
    expect(router('next', 'n:4').missedBy('23', 'n:6')).toEqual(['n:4']);
    expect(router('next', 'n:4', 'n:6').missedBy('23', 'n:2')).toEqual(['n:4', 'n:6']);
    // Under rebuild a restore rebuilds the ring, so every ejected node may serve the key again.
    expect(router('rebuild', 'n:4', 'n:2').missedBy('23', 'n:6')).toEqual(['n:4', 'n:2']);
    // Served by its owner: nobody misses it.
    expect(router('next', 'n:6').missedBy('23', 'n:4')).toEqual([]);
  });

  it('announces what moves: the node\'s share under "next", nothing under "fail", and nothing twice', () => {
    const next = new Router(ring, 'next');
    const ejected = next.eject('n:4');
    expect(ejected).toMatchObject({ reason: 'ejected', node: 'n:4' });
    expect(ejected?.diff.moved).toBe(ring.shareOf('n:4'));
    expect(next.eject('n:4')).toBeUndefined();
    expect(next.restore('n:4')?.diff.moved).toBe(ring.shareOf('n:4'));
    expect(next.restore('n:4')).toBeUndefined();
    const fail = new Router(ring, 'fail');
    expect(fail.eject('n:6')?.diff.moved).toBe(0);
  });

  it('keeps ejections across a planned change, dropping nodes the new ring has not', () => {
    const out = router('next', 'n:4', 'n:6');
    out.replace(ring.withoutNode('n:6'));
    expect([...out.ejected]).toEqual(['n:4']);
    expect(out.route('23')).toBe('n:2');
  });
});
