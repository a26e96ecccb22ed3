import type { Cancel, Clock } from '@shardcache/health';

interface Timer {
  readonly at: number;
  /** Order of scheduling: timers due at the same instant run in the order they were set. */
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** Lets every promise reaction queued so far run (the model's nodes answer in microtasks only). */
export function settleMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Virtual time for the model checker: `now()` moves only when `advance` moves it, and timers run
 * in due order with every promise reaction they cause settled before the next one. A run is then
 * a pure function of its commands: no real time, no sockets.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];
  /** What timer callbacks threw (in a real process: uncaught exceptions). */
  readonly thrown: unknown[] = [];

  constructor(start = 1_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(callback: () => void, ms: number): Cancel {
    const timer: Timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, callback, cancelled: false };
    this.#timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Timers set and not yet run or cancelled. */
  get pending(): number {
    return this.#timers.filter((timer) => !timer.cancelled).length;
  }

  /**
   * Moves time forward by `ms` at once, as a synchronous stretch of work does (a stalled event
   * loop): no timer runs until the next `advance`, which runs those now due first.
   */
  stall(ms: number): void {
    this.#now += ms;
  }

  /** Moves time forward by `ms`, running each timer due on the way at its own instant. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#nextDue(target);
      if (next === undefined) break;
      this.#now = next.at;
      try {
        next.callback();
      } catch (error) {
        this.thrown.push(error);
      }
      await settleMicrotasks();
    }
    this.#now = target;
    await settleMicrotasks();
  }

  #nextDue(target: number): Timer | undefined {
    const timers = this.#timers;
    let best: Timer | undefined;
    let live = 0;
    for (const timer of timers) {
      if (timer.cancelled) continue;
      timers[live++] = timer;
      if (timer.at > target) continue;
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer;
    }
    // Compacted in place as it scans: no new array per timer run.
    timers.length = live;
    if (best !== undefined) best.cancelled = true;
    return best;
  }
}
