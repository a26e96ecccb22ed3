import { expect, it } from 'vitest';

// The public surface, listed: a change to it must show up in review.
it('exports exactly its public names', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
    'AttemptTimeoutError',
    'BreakerOpenError',
    'ClosedError',
    'DuplicateNodeError',
    'HealthError',
    'HealthRegistry',
    'IDEMPOTENT_COMMANDS',
    'InvalidOptionError',
    'InvalidSnapshotError',
    'NON_IDEMPOTENT_COMMANDS',
    'NodeHealth',
    'RetryBudget',
    'RetryBudgetExhaustedError',
    'RetryPolicy',
    'UnknownNodeError',
    'errorCode',
    'fromTwemproxyPool',
    'isIdempotent',
    'preciseClock',
    'sleep',
    'systemClock',
  ]);
});

it('gives errors a stable code and the subclass name', async () => {
  const { HealthError } = await import('../src/index.js');
  const error = new HealthError('ERR_BREAKER_OPEN', 'example', { cause: 'root cause' });
  expect(error).toMatchObject({ code: 'ERR_BREAKER_OPEN', name: 'HealthError', message: 'example', cause: 'root cause' });
  expect(error).toBeInstanceOf(Error);
});
