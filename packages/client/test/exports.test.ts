import { expect, it } from 'vitest';

// The public surface, listed: a change to it must show up in review.
it('exports exactly its public names', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
    'BreakerOpenError',
    'ClosedError',
    'ConnectionError',
    'DecodeError',
    'InvalidArgumentError',
    'InvalidKeyError',
    'InvalidOptionError',
    'InvalidTtlError',
    'InvalidValueError',
    'KeyRules',
    'MEMCACHED_MAX_KEY_BYTES',
    'MEMCACHED_RELATIVE_TTL_LIMIT',
    'MembershipConflictError',
    'MembershipMalformedError',
    'MembershipUnavailableError',
    'NodeUnavailableError',
    'OverloadedError',
    'PartialFailureError',
    'ServerError',
    'ShardcacheError',
    'ShardedClient',
    'TimeoutError',
    'UnknownError',
    'UnsupportedError',
    'VALUE_FLAGS',
    'ValueTooLargeError',
    'createMemcachedNode',
    'createMemjsNode',
    'createRedisNode',
    'etcdMembership',
    'failureClass',
    'fileMembership',
    'isRequestError',
    'parseNodeSpec',
    'redisMembership',
    'staticMembership',
  ]);
});

it('gives errors a stable code and the subclass name', async () => {
  const { ShardcacheError, TimeoutError } = await import('../src/index.js');
  const error = new TimeoutError('a:1', 'get', 250);
  expect(error).toBeInstanceOf(ShardcacheError);
  expect(error).toMatchObject({ code: 'ERR_TIMEOUT', name: 'TimeoutError', node: 'a:1', timeoutMs: 250 });
});
