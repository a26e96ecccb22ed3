import type { CliClock } from '../../src/internal/clock.js';

/**
 * Virtual time: `sleep` moves the clock forward at once and resolves on the next macrotask, so
 * promises that were already due (a stage's answer) settle before the sleeper wakes. Nothing
 * waits on real time.
 */
export class VirtualClock implements CliClock {
  #now = 0;

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted !== true) this.#now += Math.max(0, ms);
    return new Promise((resolve) => setImmediate(resolve));
  }
}
