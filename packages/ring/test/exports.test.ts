import { expect, it } from 'vitest';

// The public surface, listed: a change to it must show up in review.
it('exports exactly its public names', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
    'DuplicateNodeError',
    'InvalidConfigError',
    'InvalidKeyError',
    'InvalidServerError',
    'InvalidWeightError',
    'RingEmptyError',
    'RingError',
    'UnknownDistributionError',
    'UnknownHashError',
    'UnknownNodeError',
    'UnsupportedError',
    'diff',
    'hashKey',
    'hashNames',
    'ketamaRing',
    'libmemcachedRing',
    'md5Digest',
    'modulaRing',
    'parseTwemproxyConfig',
    'twemproxyRing',
  ]);
});
