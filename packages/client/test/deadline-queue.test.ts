import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../src/internal/clock.js';
import { DeadlineQueue } from '../src/internal/deadline-queue.js';

const fakeClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

describe('DeadlineQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('expires each deadline at its own time, not before', () => {
    const queue = new DeadlineQueue(fakeClock);
    const expired: string[] = [];
    queue.add(300, () => expired.push('slow'));
    queue.add(100, () => expired.push('fast'));
    queue.add(200, () => expired.push('middle'));
    vi.advanceTimersByTime(99);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['fast']);
    vi.advanceTimersByTime(199);
    expect(expired).toEqual(['fast', 'middle']);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['fast', 'middle', 'slow']);
  });

  it('never expires a cancelled deadline, and keeps one timer', () => {
    const queue = new DeadlineQueue(fakeClock);
    const expired: number[] = [];
    const deadlines = [50, 10, 30].map((ms) => queue.add(ms, () => expired.push(ms)));
    expect(vi.getTimerCount()).toBe(1);
    deadlines[1]?.cancel();
    vi.advanceTimersByTime(100);
    expect(expired).toEqual([30, 50]);
    expect(queue.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('expires any set of deadlines in order, each exactly on time (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.boolean()), { maxLength: 40 }), (plan) => {
        vi.setSystemTime(0);
        const queue = new DeadlineQueue(fakeClock);
        const fired: { ms: number; at: number }[] = [];
        plan.forEach(([ms, cancel]) => {
          const deadline = queue.add(ms, () => fired.push({ ms, at: Date.now() }));
          if (cancel) deadline.cancel();
        });
        vi.advanceTimersByTime(1001);
        const expected = plan.filter(([, cancel]) => !cancel).map(([ms]) => ms).sort((a, b) => a - b);
        expect(fired.map((entry) => entry.ms)).toEqual(expected);
        for (const entry of fired) expect(entry.at).toBe(entry.ms);
      }),
    );
  });
});
