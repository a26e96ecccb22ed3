import { describe, expect, it } from 'vitest';
import { sleep, type Clock } from '../src/index.js';

/** A clock whose timers run only when the test says so. */
function manualClock(): Clock & { fire(): void; readonly pending: number } {
  const timers = new Set<() => void>();
  return {
    now: () => 0,
    schedule(callback) {
      timers.add(callback);
      return () => timers.delete(callback);
    },
    fire() {
      for (const timer of [...timers]) {
        timers.delete(timer);
        timer();
      }
    },
    get pending() {
      return timers.size;
    },
  };
}

describe('sleep', () => {
  it('resolves when its timer runs on the clock', async () => {
    const clock = manualClock();
    let done = false;
    const waiting = sleep(clock, 100).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    clock.fire();
    await waiting;
    expect(done).toBe(true);
  });

  it('resolves at once when aborted, cancelling its timer', async () => {
    const clock = manualClock();
    const controller = new AbortController();
    const waiting = sleep(clock, 100, controller.signal);
    expect(clock.pending).toBe(1);
    controller.abort();
    await waiting;
    expect(clock.pending).toBe(0);
  });

  it('sets no timer when already aborted', async () => {
    const clock = manualClock();
    await sleep(clock, 100, AbortSignal.abort());
    expect(clock.pending).toBe(0);
  });
});
