import { describe, expect, it } from 'vitest';
import { diff, libmemcachedRing } from '../src/index.js';

describe('libmemcachedRing', () => {
  const servers = ['10.0.0.1:11211:1', '10.0.0.2:11211:1', '10.0.0.3:11212:1'];

  it('defaults to modula with the one_at_a_time ("default") hash, ignoring weights', () => {
    const ring = libmemcachedRing({ servers: ['a:1:1', 'b:1:5'] });
    expect(ring.algorithm).toBe('libmemcached modula');
    expect(ring.hash).toBe('default');
    expect(ring.shareOf('a:1')).toBe(0.5);
  });

  it('keeps the client\'s server order (order matters to modula)', () => {
    expect(libmemcachedRing({ servers: ['b:1', 'a:1'] }).nodes.map((n) => n.id)).toEqual(['b:1', 'a:1']);
    expect(diff(libmemcachedRing({ servers: ['b:1', 'a:1'] }), libmemcachedRing({ servers: ['a:1', 'b:1'] })).moved).toBe(1);
  });

  it('accepts pylibmc names with spaces or underscores and memccp names in upper case', () => {
    const spaced = libmemcachedRing({ servers, distribution: 'consistent ketama', hash: 'md5' });
    const underscored = libmemcachedRing({ servers, distribution: 'consistent_ketama', hash: 'MD5' });
    expect(diff(spaced, underscored).moved).toBe(0);
  });

  it('parses "host", "host:port", "host:port:weight" and "[v6]:port:weight"', () => {
    const ring = libmemcachedRing({ servers: ['a', 'b:22122', 'c:1:2', '[::1]:3:4'] });
    expect(ring.nodes).toEqual([
      { id: 'a:11211', weight: 1, host: 'a', port: 11211 },
      { id: 'b:22122', weight: 1, host: 'b', port: 22122 },
      { id: 'c:1', weight: 2, host: 'c', port: 1 },
      { id: '::1:3', weight: 4, host: '::1', port: 3 },
    ]);
  });

  it('turns weighting on when a consistent pool gets a weight > 1, as server_add does', () => {
    const flat = libmemcachedRing({ servers, distribution: 'consistent ketama' });
    const weighted = libmemcachedRing({ servers: [...servers.slice(0, 2), '10.0.0.3:11212:2'], distribution: 'consistent ketama' });
    const forcedOff = libmemcachedRing({ servers: [...servers.slice(0, 2), '10.0.0.3:11212:2'], distribution: 'consistent ketama', weighted: false });
    expect(weighted.shareOf('10.0.0.3:11212')).toBeGreaterThan(0.4); // ideal 0.5
    expect(diff(flat, forcedOff).moved).toBe(0); // unweighted points ignore weights
  });

  it.each([
    [{ servers: [] }, 'ERR_RING_EMPTY'],
    [{ servers: ['a:1', 'a:1'] }, 'ERR_DUPLICATE_NODE'],
    [{ servers: ['a:1:0'] }, 'ERR_INVALID_WEIGHT'],
    [{ servers: ['a:x'] }, 'ERR_INVALID_SERVER'],
    [{ servers: ['a:1:2:3'] }, 'ERR_INVALID_SERVER'],
    [{ servers: ['a:70000'] }, 'ERR_INVALID_SERVER'],
    [{ servers: ['a:1'], hash: 'sha1' }, 'ERR_UNKNOWN_HASH'],
    [{ servers: ['a:1'], hash: 'hsieh' }, 'ERR_UNSUPPORTED'],
    [{ servers: ['a:1'], distribution: 'ring' }, 'ERR_UNKNOWN_DISTRIBUTION'],
    [{ servers: ['a:1'], distribution: 'random' }, 'ERR_UNSUPPORTED'],
    [{ servers: 'a:1' }, 'ERR_INVALID_CONFIG'],
  ])('rejects %j with %s', (options, code) => {
    expect(() => libmemcachedRing(options as never)).toThrow(expect.objectContaining({ code }));
  });
});
