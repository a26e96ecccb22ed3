import { describe, expect, it } from 'vitest';
import { libmemcachedRing, twemproxyRing, type Ring } from '../src/index.js';
import { loadFixtures, type Fixture } from './support/fixtures.js';

/** The ring a fixture's configuration describes, built only from what the fixture says. */
function ringFor(fx: Fixture): Ring {
  let ring: Ring;
  if (fx.pool !== undefined) {
    ring = twemproxyRing(fx.pool);
  } else if (fx.clientConfig !== undefined && fx.effectiveBehaviors !== undefined) {
    // pylibmc: the behaviors in effect after every step was applied.
    const { hash, distribution, ketamaWeighted } = fx.effectiveBehaviors;
    ring = libmemcachedRing({ servers: fx.clientConfig.servers, distribution, hash, weighted: ketamaWeighted });
  } else if (fx.clientConfig !== undefined) {
    // memccp sets only the key hash; the distribution is libmemcached's default (modula).
    const hash = fx.clientConfig.behaviorsAppliedInOrder.reduce<string>((h, step) => (typeof step['hash'] === 'string' ? step['hash'] : h), 'default');
    ring = libmemcachedRing({ servers: fx.clientConfig.servers, hash });
  } else {
    throw new Error(`${fx.file}: neither a twemproxy pool nor a libmemcached client_config`);
  }
  for (const id of fx.ejected) ring = ring.withoutNode(id);
  return ring;
}

const fixtures = loadFixtures();

describe('placement matches the real software, key for key', () => {
  it('has fixtures to compare against', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(4);
  });

  it.each(fixtures.map((fx) => [fx.file, fx] as const))('%s', (_file, fx) => {
    const ring = ringFor(fx);
    const keys = Object.keys(fx.assignments);
    expect(keys.length).toBe(fx.keyCount);
    const mismatches = keys.filter((key) => ring.locate(key) !== fx.assignments[key]);
    expect(mismatches.map((key) => ({ key, expected: fx.assignments[key], got: ring.locate(key) }))).toEqual([]);
    // Uint8Array keys place like their UTF-8 strings.
    const encoder = new TextEncoder();
    expect(keys.filter((key) => ring.locate(encoder.encode(key)) !== fx.assignments[key])).toEqual([]);
  });
});
