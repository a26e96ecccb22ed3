import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AttemptTimeoutError, NodeHealth, RetryBudget, RetryBudgetExhaustedError, RetryPolicy, type RetryPolicyOptions } from '../src/index.js';
import { connectionReset, fakeNode, timedOut } from './support/fake-node.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

/** An attempt that fails with the given errors in turn, then succeeds; records when it ran. */
function script(...errors: Error[]) {
  const startedAt: number[] = [];
  const attempt = async (): Promise<string> => {
    startedAt.push(Date.now());
    const error = errors.shift();
    if (error !== undefined) throw error;
    return 'value';
  };
  return { attempt, startedAt };
}

function policy(options: RetryPolicyOptions = {}) {
  return new RetryPolicy({ retries: 3, baseDelayMs: 20, maxDelayMs: 100, budget: { minRetriesPerSecond: 100 }, ...options });
}

/** Settles `promise` while fake time runs; returns what it rejected with (or its value). */
async function settle<T>(promise: Promise<T>, ms = 10_000): Promise<T | unknown> {
  const outcome = promise.then(
    (value) => value,
    (error: unknown) => error,
  );
  await vi.advanceTimersByTimeAsync(ms);
  return outcome;
}

describe('RetryPolicy back-off', () => {
  it('waits a uniformly random time below min(maxDelayMs, baseDelayMs x 2^(retry-1)) (full jitter)', async () => {
    const randoms = [0.5, 0.25, 0.999];
    const { attempt, startedAt } = script(connectionReset(), connectionReset(), connectionReset());
    const retry = policy({ random: () => randoms.shift() ?? 0 });
    expect([1, 2, 3, 4, 5].map((n) => retry.delayCeiling(n))).toEqual([20, 40, 80, 100, 100]);
    expect(await settle(retry.run('get', attempt))).toBe('value');
    // 0.5 x 20 = 10, then 0.25 x 40 = 10, then 0.999 x 80 = 79.92 (timers truncate it to 79).
    expect(startedAt).toEqual([0, 10, 20, 99]);
  });

  it('keeps every wait within [0, ceiling) with the real random source', async () => {
    for (let run = 0; run < 50; run++) {
      const { attempt, startedAt } = script(connectionReset(), connectionReset(), connectionReset());
      await settle(policy().run('get', attempt));
      const waits = startedAt.slice(1).map((at, i) => at - (startedAt[i] ?? 0));
      waits.forEach((wait, i) => {
        expect(wait).toBeGreaterThanOrEqual(0);
        expect(wait).toBeLessThanOrEqual([20, 40, 80][i] ?? 0);
      });
    }
  });

  it('gives up after `retries` retries with the last error', async () => {
    const last = connectionReset();
    const { attempt, startedAt } = script(connectionReset(), connectionReset(), connectionReset(), last);
    expect(await settle(policy({ retries: 3 }).run('get', attempt))).toBe(last);
    expect(startedAt).toHaveLength(4);
  });
});

describe('RetryPolicy: what is never retried', () => {
  it.each([
    ['a TypeError', new TypeError('key.length is not a function')],
    ['a RangeError', new RangeError('ttl out of range')],
    ['an error marked retryable: false', Object.assign(new Error('nope'), { retryable: false })],
    ['a bad key', Object.assign(new Error('bad key'), { code: 'ERR_INVALID_KEY' })],
    ['a value too large', Object.assign(new Error('too large'), { code: 'ERR_VALUE_TOO_LARGE' })],
  ])('%s', async (_name, error) => {
    const { attempt, startedAt } = script(error);
    expect(await settle(policy().run('get', attempt))).toBe(error);
    expect(startedAt).toHaveLength(1);
  });

  it('a command that is not idempotent after an ambiguous failure (timeout after sending)', async () => {
    for (const command of ['incr', 'decr', 'add', 'cas', 'append', 'prepend', 'INCR']) {
      const { attempt, startedAt } = script(timedOut());
      expect(await settle(policy().run(command, attempt))).toMatchObject({ code: 'ETIMEDOUT' });
      expect(startedAt).toHaveLength(1);
    }
    // An unknown error may have been sent too; an unknown command may not be idempotent.
    const unknownError = script(new Error('???'));
    await settle(policy().run('incr', unknownError.attempt));
    expect(unknownError.startedAt).toHaveLength(1);
    const unknownCommand = script(timedOut());
    await settle(policy().run('frobnicate', unknownCommand.attempt));
    expect(unknownCommand.startedAt).toHaveLength(1);
  });

  it('but retries it when the request never left (connection refused, or marked sent: false)', async () => {
    const { attempt, startedAt } = script(refused(), Object.assign(new Error('queue full'), { sent: false }));
    expect(await settle(policy().run('incr', attempt))).toBe('value');
    expect(startedAt).toHaveLength(3);
  });

  it('and retries idempotent commands after a timeout, with a deadline per attempt', async () => {
    const signals: AbortSignal[] = [];
    let calls = 0;
    const attempt = (signal: AbortSignal): Promise<string> => {
      signals.push(signal);
      // The first attempt hangs (and ignores its signal); the second answers.
      return ++calls === 1 ? new Promise<string>(() => undefined) : Promise.resolve('late value');
    };
    expect(await settle(policy({ attemptTimeoutMs: 50, random: () => 0 }).run('get', attempt))).toBe('late value');
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[0]?.reason).toBeInstanceOf(AttemptTimeoutError);
    expect(signals[1]?.aborted).toBe(false);
  });

  it('takes extra idempotency knowledge from the options', async () => {
    const { attempt, startedAt } = script(timedOut());
    await settle(policy({ idempotent: { incr: true } }).run('incr', attempt));
    expect(startedAt).toHaveLength(2);
    expect(policy({ idempotent: { get: false } }).isIdempotent('GET')).toBe(false);
  });
});

describe('RetryPolicy: abort and budget', () => {
  it('stops waiting as soon as the signal aborts, rejecting with its reason', async () => {
    const controller = new AbortController();
    const { attempt, startedAt } = script(connectionReset(), connectionReset());
    const outcome = policy({ baseDelayMs: 1000, maxDelayMs: 1000, random: () => 0.99 })
      .run('get', attempt, { signal: controller.signal })
      .catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(100); // inside the ~990 ms wait
    const reason = new Error('caller gave up');
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(startedAt).toEqual([0]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('aborts the attempt in flight too', async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const outcome = policy()
      .run('get', (signal) => {
        seen = signal;
        return new Promise<string>(() => undefined);
      }, { signal: controller.signal })
      .catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort(new Error('stop'));
    expect(await outcome).toMatchObject({ message: 'stop' });
    expect(seen?.aborted).toBe(true);
  });

  it('limits retries to a share of recent requests plus the floor', async () => {
    const budget = new RetryBudget({ ratio: 0.1, minRetriesPerSecond: 0, windowMs: 10_000 });
    const retry = new RetryPolicy({ retries: 5, budget, random: () => 0 });
    // 20 successful requests earn floor(0.1 x 20) = 2 retries.
    for (let i = 0; i < 20; i++) await settle(retry.run('get', async () => 'ok'), 0);
    const failure = connectionReset();
    const { attempt, startedAt } = script(connectionReset(), connectionReset(), failure);
    const error = await settle(retry.run('get', attempt));
    // Request 21 earns nothing more (0.1 x 21 = 2.1): two retries, then the budget says no.
    expect(error).toBeInstanceOf(RetryBudgetExhaustedError);
    expect(error).toMatchObject({ code: 'ERR_RETRY_BUDGET_EXHAUSTED', cause: failure });
    expect(startedAt).toHaveLength(3);
    // Ten seconds later the window has forgotten those requests and retries.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(budget.available).toBe(0);
  });

  it('shares one budget between policies', () => {
    const budget = new RetryBudget({ ratio: 0.5, minRetriesPerSecond: 0 });
    expect(new RetryPolicy({ budget }).budget).toBe(budget);
  });
});

describe('RetryPolicy sits outside the breaker', () => {
  function node(serverFailureLimit: number) {
    return new NodeHealth('cache-a:11211', { autoEjectHosts: true, probe: fakeNode().probe, serverFailureLimit, serverRetryTimeout: 60_000 });
  }

  it('counts every attempt in the node health, and fails fast once the breaker opens', async () => {
    const health = node(2);
    const { attempt, startedAt } = script(connectionReset(), connectionReset(), connectionReset(), connectionReset());
    const error = await settle(policy({ random: () => 0 }).run('get', attempt, { health }));
    // Two attempts ran and failed: the node tripped and was ejected; the third attempt met an
    // open breaker, which is never retried.
    expect(startedAt).toHaveLength(2);
    expect(error).toMatchObject({ code: 'ERR_BREAKER_OPEN', node: 'cache-a:11211' });
    expect(health.state).toBe('ejected');
    expect(health.stats).toMatchObject({ requests: 2, failures: 2 });
    await health.destroy();
  });

  it('does not call the node at all while it is ejected', async () => {
    const health = node(1);
    health.recordFailure(connectionReset(), 1);
    const { attempt, startedAt } = script();
    expect(await settle(policy().run('get', attempt, { health }))).toMatchObject({ code: 'ERR_BREAKER_OPEN' });
    expect(startedAt).toHaveLength(0);
    await health.destroy();
  });

  it('records successes and timeouts with their latency, using the node timeout as deadline', async () => {
    const health = new NodeHealth('b', { timeout: 30, serverFailureLimit: 5 });
    let calls = 0;
    const attempt = (): Promise<string> => (++calls === 1 ? new Promise<string>(() => undefined) : new Promise((resolve) => setTimeout(() => resolve('ok'), 5)));
    expect(await settle(policy({ random: () => 0 }).run('get', attempt, { health }))).toBe('ok');
    expect(health.stats).toMatchObject({ requests: 2, failures: 1, timeouts: 1, lastErrorCode: 'ERR_ATTEMPT_TIMEOUT', p50Ms: 5, p99Ms: 30 });
    await health.destroy();
  });
});
