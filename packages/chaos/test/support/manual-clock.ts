import type { Cancel, Clock } from '@shardcache/health';

/** A clock that moves only when told: `advance(ms)` runs every timer due by then, in order. */
export class ManualClock implements Clock {
  #now = 0;
  #next = 1;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.#now;
  }

  schedule(callback: () => void, ms: number): Cancel {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + ms, callback });
    return () => this.#timers.delete(id);
  }

  get pending(): number {
    return this.#timers.size;
  }

  advance(ms: number): void {
    this.#run(this.#now + ms, true);
  }

  /** Moves time on as a blocked event loop does: the timers due meanwhile run after it, late. */
  stall(ms: number): void {
    this.#now += ms;
    this.#run(this.#now, false);
  }

  /** Runs every timer due by `target`, in order; `onTime`: each at its due time, else at `target`. */
  #run(target: number, onTime: boolean): void {
    for (;;) {
      const due = [...this.#timers].filter(([, timer]) => timer.at <= target).sort(([, a], [, b]) => a.at - b.at)[0];
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      if (onTime) this.#now = due[1].at;
      due[1].callback();
    }
    this.#now = target;
  }
}
