import { expect, it } from 'vitest';

// The public surface, listed: a change to it must show up in review.
it('exports exactly its public names', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
    'CacheLock',
    'CacheWriteError',
    'CachedLoaderError',
    'ClosedError',
    'InvalidOptionError',
    'L1Cache',
    'LoaderError',
    'LockTimeoutError',
    'PatternCache',
    'PatternError',
    'QueueFullError',
    'RedisInvalidationBus',
    'SingleFlight',
    'TagVersions',
    'WriteBehind',
    'WriteBehindError',
    'WriterError',
    'entryFreshness',
    'namespacedCache',
    'writeThrough',
  ]);
});

it('gives errors a stable code and the subclass name', async () => {
  const { PatternError, InvalidOptionError, LoaderError } = await import('../src/index.js');
  const error = new PatternError('ERR_LOADER', 'example', { cause: 'root cause' });
  expect(error).toMatchObject({ code: 'ERR_LOADER', name: 'PatternError', message: 'example', cause: 'root cause' });
  expect(error).toBeInstanceOf(Error);
  expect(new InvalidOptionError('lock.ttl', 'bad')).toMatchObject({ code: 'ERR_INVALID_OPTION', name: 'InvalidOptionError', option: 'lock.ttl' });
  expect(new LoaderError('k', 'why')).toMatchObject({ code: 'ERR_LOADER', key: 'k', cause: 'why' });
  expect(new LoaderError('k', 'why')).toBeInstanceOf(PatternError);
});
