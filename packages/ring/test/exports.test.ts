import { expect, it } from 'vitest';

// The public surface, listed: a change to it must show up in review.
it('exports exactly its public names', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
    'BoundedLoadRouter',
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
    'jumpHash',
    'jumpRing',
    'ketamaRing',
    'libmemcachedRing',
    'maglevRing',
    'md5Digest',
    'modulaRing',
    'multiProbeRing',
    'parseTwemproxyConfig',
    'rendezvousRing',
    'twemproxyRing',
  ]);
});
