import { expect, it } from 'vitest';

// The public surface, listed: a change to it must show up in review.
it('exports exactly its public names', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual(['ShardcacheError']);
});

it('gives errors a stable code and the subclass name', async () => {
  const { ShardcacheError } = await import('../src/index.js');
  const error = new ShardcacheError('ERR_EXAMPLE', 'example', { cause: 'root cause' });
  expect(error).toMatchObject({ code: 'ERR_EXAMPLE', name: 'ShardcacheError', message: 'example', cause: 'root cause' });
  expect(error).toBeInstanceOf(Error);
});
