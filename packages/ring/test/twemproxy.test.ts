import { describe, expect, it } from 'vitest';
import { diff, hashKey, parseTwemproxyConfig, twemproxyRing } from '../src/index.js';
import { twemproxyPointCount } from '../src/twemproxy.js';

const servers = ['10.0.0.1:11211:1', '10.0.0.2:11211:1', '10.0.0.3:22122:1'];

describe('twemproxy ketama point counts (float32, as ketama_update)', () => {
  it('gives weights 1,1,1,7,15 28/28/28/224/480 points, not 32 (observed on twemproxy 0.5.0)', () => {
    expect([1, 1, 1, 7, 15].map((w) => twemproxyPointCount(w, 25, 5))).toEqual([28, 28, 28, 224, 480]);
  });

  it('gives equal weights 160 points each', () => {
    expect(twemproxyPointCount(1, 5, 5)).toBe(160);
  });
});

describe('twemproxyRing', () => {
  it('returns "host:port" and reports twemproxy\'s defaults (ketama + fnv1a_64)', () => {
    const ring = twemproxyRing({ servers });
    expect(ring.algorithm).toBe('twemproxy ketama');
    expect(ring.hash).toBe('fnv1a_64');
    expect(servers.map((s) => s.slice(0, s.lastIndexOf(':')))).toContain(ring.locate('user:1'));
  });

  it('sorts servers by name (length first, then bytes), so config order never matters', () => {
    const ring = twemproxyRing({ servers: ['h:10:1 bb', 'h:2:1 a', 'h:3:1 ab'] });
    expect(ring.nodes.map((n) => n.id)).toEqual(['h:2', 'h:3', 'h:10']);
    expect(diff(ring, twemproxyRing({ servers: ['h:3:1 ab', 'h:10:1 bb', 'h:2:1 a'] })).moved).toBe(0);
  });

  it('drops ":11211" from point names, keeps other ports, and prefers an explicit name', () => {
    const ring = twemproxyRing({ servers: ['10.0.0.1:11211:1', '10.0.0.2:22122:1', '10.0.0.3:11211:1 cache-c'] });
    expect(ring.nodes.map((n) => (n as { name?: string }).name)).toEqual(['cache-c', '10.0.0.1', '10.0.0.2:22122']);
  });

  it('hashes only the bytes between the hash tag when non-empty, and the empty key to 0', () => {
    const ring = twemproxyRing({ servers, hash: 'md5', hash_tag: '{}' });
    for (const key of ['{user:1}:a', '{user:1}:b', 'x{user:1}y']) expect(ring.locate(key)).toBe(ring.locate('user:1'));
    const untagged = twemproxyRing({ servers, hash: 'md5' });
    for (const key of ['{}abc', 'no{close', '{a}{b}x']) expect(ring.locate(key)).toBe(untagged.locate(key === '{a}{b}x' ? 'a' : key));
    const modula = twemproxyRing({ servers, distribution: 'modula', hash: 'md5' });
    // Zero-length keys hash to 0, which is slot 0 (the first server by name).
    expect(modula.locate('')).toBe(modula.nodes[0]?.id);
    expect(hashKey('md5', '')).not.toBe(0);
  });

  it('gives modula `weight` consecutive slots per server in name order', () => {
    const ring = twemproxyRing({ servers: ['h:1:1', 'h:2:3'], distribution: 'modula', hash: 'crc32a' });
    // Slots [h:1, h:2, h:2, h:2]: exact shares over the 2^32 hash values (2^32 divisible by 4).
    expect(ring.shareOf('h:1')).toBe(0.25);
    expect(ring.shareOf('h:2')).toBe(0.75);
  });

  it('ejects like twemproxy: rebuilt from the live servers, so survivors\' points rescale', () => {
    const ring = twemproxyRing({ servers: ['h:1:1', 'h:2:1', 'h:3:2'], hash: 'md5' });
    const ejected = ring.withoutNode('h:2');
    expect(diff(ejected, twemproxyRing({ servers: ['h:1:1', 'h:3:2'], hash: 'md5' })).moved).toBe(0);
    // Points per server change (40 -> 53 hashes for h:3 at weight 2 of 3), so some keys move
    // between survivors, unlike the native ring.
    expect(diff(ring, ejected).flows.some((f) => f.from !== 'h:2')).toBe(true);
    expect(ring.has('h:2')).toBe(true); // the original ring is unchanged
  });

  it('adds servers from a line or an object, and changes weights', () => {
    const ring = twemproxyRing({ servers: ['h:1:1'] });
    expect(ring.withNode('h:2:2 two').nodes.map((n) => n.id)).toEqual(['h:1', 'h:2']);
    expect(ring.withNode({ id: 'h:3', weight: 2 }).nodes[1]).toEqual({ id: 'h:3', weight: 2, name: 'h:3', host: 'h', port: 3 });
    expect(ring.withWeights({ 'h:1': 4 }).nodes[0]?.weight).toBe(4);
  });
});

describe('parseTwemproxyConfig', () => {
  const yaml = `
alpha:
  listen: 127.0.0.1:22121
  hash: md5
  hash_tag: "{}"
  distribution: ketama
  redis: true
  servers:
   - 127.0.0.1:6379:1 one
   - 127.0.0.1:6380:1
beta:
  servers:
   - 10.0.0.1:11211:1
`;

  it('returns each pool as written, ready for twemproxyRing', () => {
    const pools = parseTwemproxyConfig(yaml);
    expect(Object.keys(pools)).toEqual(['alpha', 'beta']);
    expect(pools['alpha']).toMatchObject({ hash: 'md5', hash_tag: '{}', redis: true, servers: ['127.0.0.1:6379:1 one', '127.0.0.1:6380:1'] });
    expect(twemproxyRing(pools['beta']).locate('k')).toBe('10.0.0.1:11211');
  });

  it.each([
    ['alpha: [', 'ERR_INVALID_CONFIG', /yaml/],
    ['- 1\n- 2', 'ERR_INVALID_CONFIG', /mapping/],
    ['a:\n  servers: []', 'ERR_RING_EMPTY', /a\.servers/],
    ['a:\n  servers: [1]', 'ERR_INVALID_CONFIG', /a\.servers/],
    ['a:\n  listen_typo: x\n  servers: ["h:1:1"]', 'ERR_INVALID_CONFIG', /a\.listen_typo/],
    ['a:\n  hash: sha1\n  servers: ["h:1:1"]', 'ERR_UNKNOWN_HASH', /"sha1"/],
    ['a:\n  hash: murmur3\n  servers: ["h:1:1"]', 'ERR_UNKNOWN_HASH', /"murmur3"/],
    ['a:\n  distribution: maglev\n  servers: ["h:1:1"]', 'ERR_UNKNOWN_DISTRIBUTION', /"maglev"/],
    ['a:\n  distribution: random\n  servers: ["h:1:1"]', 'ERR_UNSUPPORTED', /random/],
    ['a:\n  hash_tag: "{"\n  servers: ["h:1:1"]', 'ERR_INVALID_CONFIG', /a\.hash_tag/],
  ])('rejects %j with %s', (text, code, message) => {
    expect(() => parseTwemproxyConfig(text)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });
});
