import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { RetryBudget } from '../src/index.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

it('allows the floor with no traffic, then a share of requests on top', () => {
  const budget = new RetryBudget({ ratio: 0.1, minRetriesPerSecond: 0.5, windowMs: 4000 });
  expect(budget.available).toBe(2); // 0.5/s x 4 s
  for (let i = 0; i < 30; i++) budget.recordRequest();
  expect(budget.available).toBe(5); // floor(0.1 x 30 + 2)
  for (let i = 0; i < 5; i++) expect(budget.tryAcquire()).toBe(true);
  expect(budget.tryAcquire()).toBe(false);
});

it('forgets requests and retries as they leave the window', () => {
  const budget = new RetryBudget({ ratio: 0.5, minRetriesPerSecond: 0, windowMs: 1000 });
  for (let i = 0; i < 4; i++) budget.recordRequest();
  expect(budget.tryAcquire()).toBe(true);
  expect(budget.available).toBe(1);
  vi.advanceTimersByTime(500);
  for (let i = 0; i < 4; i++) budget.recordRequest();
  expect(budget.available).toBe(3);
  vi.advanceTimersByTime(600); // the first 4 requests and the retry have left
  expect(budget.available).toBe(2);
  vi.advanceTimersByTime(60_000);
  expect(budget.available).toBe(0);
});
