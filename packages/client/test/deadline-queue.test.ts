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

/**
 * A call's expiry runs the client's synchronous reactions (the health gate, an ejection, the
 * node's `lateCall`), which may settle or start other calls on the same queue before the fire
 * is over; and a write's deadline counts from its start, before its value was encoded, so it
 * can be due before calls queued ahead of it.
 */
describe('DeadlineQueue, re-entered and out of order', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => vi.useRealTimers());

  it('keeps its place when an expiry settles the next call and the queue compacts', () => {
    // Old code: the fire walked its own copy of the array while the settle compacted it, lost
    // its place, and never expired `later` (due at 150): a caller left waiting for its reply.
    const queue = new DeadlineQueue(fakeClock);
    const next = entry(() => undefined);
    queue.add(
      entry(() => {
        next.done = true;
        queue.settled(next, 100);
      }),
      100,
    );
    queue.add(next, 100);
    for (let i = 0; i < 2000; i++) {
      const settled = entry(() => undefined);
      queue.add(settled, 100);
      settled.done = true;
      queue.settled(settled, 100);
    }
    vi.advanceTimersByTime(50);
    const expired: number[] = [];
    queue.add(
      entry(() => expired.push(Date.now())),
      100,
    );
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual([150]);
  });

  it('expires a call that began earlier at its own deadline, ahead of the calls queued before it', () => {
    const queue = new DeadlineQueue(fakeClock);
    const expired: string[] = [];
    vi.advanceTimersByTime(30);
    queue.add(entry(() => expired.push(`queued first ${Date.now()}`)), 100);
    queue.add(entry(() => expired.push(`began at 0 ${Date.now()}`)), 100, 0);
    vi.advanceTimersByTime(200);
    expect(expired).toEqual(['began at 0 100', 'queued first 130']);
  });

  it('expires every call at its deadline whatever expiries settle or start, in any order (property)', () => {
    // Each call: when it is queued, how long before that it began, whether it settles at once,
    // and what its expiry does: nothing, settle the call queued after it, or start a new call.
    const call = fc.record({
      wait: fc.constantFrom(0, 0, 0, 1, 7, 30),
      began: fc.integer({ min: 0, max: 40 }),
      settledAtOnce: fc.boolean(),
      onExpire: fc.constantFrom('nothing', 'settle next', 'start'),
    });
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 60 }), fc.constantFrom(0, 10, 1500, 3000), (plan, crowd) => {
        const queue = new DeadlineQueue(fakeClock);
        const entries: Expirable[] = [];
        const wrong: string[] = [];
        const settle = (e: Expirable | undefined): void => {
          if (e === undefined || e.done) return;
          e.done = true;
          queue.settled(e, 100);
        };
        const add = (began: number, onExpire: (self: Expirable) => void): void => {
          const e: Expirable = {
            at: 0,
            done: false,
            expire: () => {
              if (Date.now() !== e.at) wrong.push(`due ${e.at}, expired ${Date.now()}`);
              onExpire(e);
            },
          };
          queue.add(e, 100, Date.now() - began);
          entries.push(e);
        };
        // Calls that settle at once behind a slow head, so that the queue compacts past them.
        add(0, () => undefined);
        for (let i = 0; i < crowd; i++) {
          add(0, () => undefined);
          settle(entries[entries.length - 1]);
        }
        for (const { wait, began, settledAtOnce, onExpire } of plan) {
          vi.advanceTimersByTime(wait);
          add(began, (self) => {
            if (onExpire === 'settle next') settle(entries.find((e) => !e.done && e !== self));
            if (onExpire === 'start') add(0, () => undefined);
          });
          if (settledAtOnce) settle(entries[entries.length - 1]);
        }
        vi.advanceTimersByTime(500);
        expect(wrong).toEqual([]);
        expect(entries.filter((e) => !e.done)).toEqual([]);
        expect(queue.size).toBe(0);
      }),
      { seed: 20261207, numRuns: 300 },
    );
  });
});
