import type { Cancel, Clock } from '@shardcache/health';

/**
 * Virtual time: a timer moves the clock forward at once and runs on the next macrotask, so
 * promises that were already due (a stage's answer) settle before the sleeper wakes. Nothing
 * waits on real time.
 */
export class VirtualClock implements Clock {
  #now = 0;

  now(): number {
    return this.#now;
  }

  schedule(callback: () => void, ms: number): Cancel {
    this.#now += Math.max(0, ms);
    const immediate = setImmediate(callback);
    return () => clearImmediate(immediate);
  }
}
