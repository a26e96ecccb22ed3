import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../src/internal/clock.js';
import { DeadlineQueue, type Expirable } from '../src/internal/deadline-queue.js';

const fakeClock: Clock = {
  now: () => Date.now(),
  schedule: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

function entry(onExpire: () => void): Expirable {
  return { at: 0, done: false, expire: onExpire };
}

describe('DeadlineQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => vi.useRealTimers());

  it('expires each deadline at its own time, not before', () => {
    const queue = new DeadlineQueue(fakeClock);
    const expired: string[] = [];
    queue.add(entry(() => expired.push('slow')), 300);
    queue.add(entry(() => expired.push('fast')), 100);
    queue.add(entry(() => expired.push('middle')), 200);
    vi.advanceTimersByTime(99);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['fast']);
    vi.advanceTimersByTime(99);
    expect(expired).toEqual(['fast']);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['fast', 'middle']);
    vi.advanceTimersByTime(100);
    expect(expired).toEqual(['fast', 'middle', 'slow']);
  });

  it('never expires a settled call, and drops settled heads at once', () => {
    const queue = new DeadlineQueue(fakeClock);
    const expired: number[] = [];
    const entries = [0, 1, 2].map((i) => entry(() => expired.push(i)));
    for (const e of entries) queue.add(e, 50);
    expect(vi.getTimerCount()).toBe(1);
    const first = entries[0] as Expirable;
    first.done = true;
    queue.settled(first, 50);
    expect(queue.size).toBe(2);
    vi.advanceTimersByTime(100);
    expect(expired).toEqual([1, 2]);
    expect(queue.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('expires any mix of timeouts, each exactly when due (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 20 }), fc.boolean()), { maxLength: 40 }), (plan) => {
        const queue = new DeadlineQueue(fakeClock);
        const start = Date.now();
        const fired: { due: number; at: number }[] = [];
        for (const [timeout, wait, settle] of plan) {
          vi.advanceTimersByTime(wait);
          const due = Date.now() + timeout;
          const e = entry(() => fired.push({ due, at: Date.now() }));
          queue.add(e, timeout);
          if (settle) {
            e.done = true;
            queue.settled(e, timeout);
          }
        }
        vi.advanceTimersByTime(400);
        expect(fired).toHaveLength(plan.filter(([, , settle]) => !settle).length);
        for (const { due, at } of fired) {
          expect(at).toBe(due);
        }
        expect(queue.size).toBe(0);
        expect(Date.now()).toBeGreaterThan(start);
      }),
    );
  });
});
