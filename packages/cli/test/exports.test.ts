import { expect, it } from 'vitest';

// The public surface, listed: a change to it must show up in review.
it('exports exactly its public names', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual(['CliError', 'UsageError', 'main', 'runDemo']);
});
