import { expect, it } from 'vitest';

// The public surface, listed: a change to it must show up in review.
it('exports exactly its public names', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual(['PatternError']);
});

it('gives errors a stable code and the subclass name', async () => {
  const { PatternError } = await import('../src/index.js');
  const error = new PatternError('ERR_EXAMPLE', 'example', { cause: 'root cause' });
  expect(error).toMatchObject({ code: 'ERR_EXAMPLE', name: 'PatternError', message: 'example', cause: 'root cause' });
  expect(error).toBeInstanceOf(Error);
});
