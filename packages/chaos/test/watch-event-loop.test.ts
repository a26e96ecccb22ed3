import { describe, expect, it } from 'vitest';
import { watchEventLoop } from '../src/index.js';

/** Holds the event loop for `ms` (a stall the watcher must see), then yields for one sample. */
async function stall(ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy: no timer can run meanwhile.
  }
  await new Promise((resolve) => setTimeout(resolve, 30));
}

// Lower bounds only: a shared machine may add stalls of its own, never remove ours.
describe('watchEventLoop', () => {
  it('sees the longest stall, the stalls of a chain added up, and when each was', async () => {
    const started = performance.now();
    const watch = watchEventLoop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await stall(80);
    await stall(60);
    const stalls = watch.stop();
    expect(stalls.longestMs).toBeGreaterThanOrEqual(80);
    expect(stalls.totalMs).toBeGreaterThanOrEqual(80 + 60 - 2 * 10);
    expect(stalls.totalMs).toBeGreaterThanOrEqual(stalls.longestMs);
    // Both stalls are seen where they were: a deadline inside one passed while the loop stood still.
    const held = stalls.stalls.filter((stall) => stall.toMs - stall.fromMs >= 60);
    expect(held).toHaveLength(2);
    expect(held.every((stall) => stall.fromMs >= started && stall.toMs <= performance.now())).toBe(true);
    // Stopping twice reads the same figures.
    expect(watch.stop()).toBe(stalls);
  });

  it('leaves out what came after the time it is told to stop at', async () => {
    const watch = watchEventLoop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const endOfWork = performance.now();
    await stall(80);
    const stalls = watch.stop(endOfWork);
    expect(stalls.stalls.every((stall) => stall.toMs <= endOfWork)).toBe(true);
  });
});
