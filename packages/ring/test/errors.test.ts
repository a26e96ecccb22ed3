import { describe, expect, it } from 'vitest';
import {
  DuplicateNodeError, InvalidConfigError, InvalidKeyError, InvalidServerError, InvalidWeightError, RingEmptyError, RingError,
  UnknownHashError, UnknownNodeError, ketamaRing, modulaRing, hashKey, twemproxyRing, type HashName,
} from '../src/index.js';

const ring = ketamaRing(['a', 'b']);

describe('bad input fails at once with a typed error and a stable code', () => {
  it.each([
    ['an empty node list', () => ketamaRing([]), RingEmptyError, 'ERR_RING_EMPTY'],
    ['removing the last node', () => ketamaRing(['a']).withoutNode('a'), RingEmptyError, 'ERR_RING_EMPTY'],
    ['a duplicate id', () => ketamaRing(['a', 'a']), DuplicateNodeError, 'ERR_DUPLICATE_NODE'],
    ['a duplicate name', () => ketamaRing([{ id: 'a', name: 'n' }, { id: 'b', name: 'n' }]), DuplicateNodeError, 'ERR_DUPLICATE_NODE'],
    ['adding a present id', () => ring.withNode('a'), DuplicateNodeError, 'ERR_DUPLICATE_NODE'],
    ['weight 0', () => ketamaRing([{ id: 'a', weight: 0 }]), InvalidWeightError, 'ERR_INVALID_WEIGHT'],
    ['weight -1', () => ketamaRing([{ id: 'a', weight: -1 }]), InvalidWeightError, 'ERR_INVALID_WEIGHT'],
    ['weight Infinity', () => ring.withWeights({ a: Infinity }), InvalidWeightError, 'ERR_INVALID_WEIGHT'],
    ['weight NaN', () => ring.withWeights(new Map([['a', NaN]])), InvalidWeightError, 'ERR_INVALID_WEIGHT'],
    ['a fractional modula weight', () => modulaRing([{ id: 'a', weight: 1.5 }]), InvalidWeightError, 'ERR_INVALID_WEIGHT'],
    ['an unknown hash', () => ketamaRing(['a'], { hash: 'sha1' as HashName }), UnknownHashError, 'ERR_UNKNOWN_HASH'],
    ['an unknown hash name in hashKey', () => hashKey('crc64' as HashName, 'k'), UnknownHashError, 'ERR_UNKNOWN_HASH'],
    ['a bad pointsPerWeight', () => ketamaRing(['a'], { pointsPerWeight: 0 }), InvalidConfigError, 'ERR_INVALID_CONFIG'],
    ['nodes that are not an array', () => ketamaRing('a' as never), InvalidConfigError, 'ERR_INVALID_CONFIG'],
    ['an empty id', () => ketamaRing(['']), InvalidServerError, 'ERR_INVALID_SERVER'],
    ['a node object without id', () => ketamaRing([{ weight: 1 } as never]), InvalidServerError, 'ERR_INVALID_SERVER'],
    ['removing an unknown id', () => ring.withoutNode('z'), UnknownNodeError, 'ERR_UNKNOWN_NODE'],
    ['reweighting an unknown id', () => ring.withWeights({ z: 1 }), UnknownNodeError, 'ERR_UNKNOWN_NODE'],
    ['a key that is a number', () => ring.locate(42 as never), InvalidKeyError, 'ERR_INVALID_KEY'],
    ['a key that is null', () => ring.locateN(null as never, 1), InvalidKeyError, 'ERR_INVALID_KEY'],
    ['a negative count', () => ring.locateN('k', -1), InvalidConfigError, 'ERR_INVALID_CONFIG'],
    ['a server line without weight', () => twemproxyRing({ servers: ['h:11211'] }), InvalidServerError, 'ERR_INVALID_SERVER'],
    ['a server line with a bad port', () => twemproxyRing({ servers: ['h:0:1'] }), InvalidServerError, 'ERR_INVALID_SERVER'],
    ['a server line with a bad weight', () => twemproxyRing({ servers: ['h:1:x'] }), InvalidServerError, 'ERR_INVALID_SERVER'],
    ['a zero server weight', () => twemproxyRing({ servers: ['h:1:0'] }), InvalidWeightError, 'ERR_INVALID_WEIGHT'],
    ['duplicate server names', () => twemproxyRing({ servers: ['h:1:1 n', 'h:2:1 n'] }), DuplicateNodeError, 'ERR_DUPLICATE_NODE'],
    ['a pool that is not a mapping', () => twemproxyRing('servers'), InvalidConfigError, 'ERR_INVALID_CONFIG'],
  ])('%s', (_what, act, type, code) => {
    let caught: unknown;
    try {
      act();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(type);
    expect(caught).toBeInstanceOf(RingError);
    expect(caught).toMatchObject({ code, name: type.name });
  });

  it('names the offending option or value in the message', () => {
    expect(() => ketamaRing([{ id: 'cache-a', weight: -2 }])).toThrow(/-2 for node "cache-a"/);
    expect(() => ketamaRing(['a'], { pointsPerWeight: 1.5 })).toThrow(/pointsPerWeight/);
    expect(() => twemproxyRing({ servers: ['h:1:1'], hash: 'sha1' })).toThrow(/pool\.hash "sha1"/);
  });
});
