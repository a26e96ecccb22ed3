import type { Clock } from './clock.js';

/** A pending deadline; `cancel()` once the call has settled. */
export interface Deadline {
  cancel(): void;
}

interface Entry {
  readonly at: number;
  readonly expire: () => void;
  done: boolean;
}

/**
 * Per-call deadlines on one timer. A timer per call costs more than the rest of the success
 * path together, so deadlines sit in a min-heap and one timer is armed for the earliest;
 * settled calls are only flagged and dropped when they reach the top.
 *
 * @example
 * const deadlines = new DeadlineQueue(systemClock);
 * const deadline = deadlines.add(250, () => reject(new TimeoutError(...)));
 * try { return await call } finally { deadline.cancel() }
 */
export class DeadlineQueue {
  readonly #clock: Clock;
  readonly #heap: Entry[] = [];
  #timer: unknown;
  #armedAt = Infinity;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Calls `expire` after `ms` unless cancelled first. */
  add(ms: number, expire: () => void): Deadline {
    const entry: Entry = { at: this.#clock.now() + ms, expire, done: false };
    this.#push(entry);
    if (entry.at < this.#armedAt) this.#arm(entry.at);
    return {
      cancel: () => {
        entry.done = true;
      },
    };
  }

  /** Pending (not yet cancelled or expired) deadlines; for tests and stats. */
  get size(): number {
    return this.#heap.filter((entry) => !entry.done).length;
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#armedAt = at;
    this.#timer = this.#clock.setTimeout(() => this.#fire(), Math.max(0, at - this.#clock.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = this.#clock.now();
    let top = this.#heap[0];
    while (top !== undefined && (top.done || top.at <= now)) {
      this.#pop();
      if (!top.done) {
        top.done = true;
        top.expire();
      }
      top = this.#heap[0];
    }
    if (top !== undefined) this.#arm(top.at);
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = heap[parent];
      if (above === undefined || above.at <= entry.at) break;
      heap[index] = above;
      index = parent;
    }
    heap[index] = entry;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      let smallestAt = last.at;
      const l = heap[left];
      const r = heap[right];
      if (l !== undefined && l.at < smallestAt) [smallest, smallestAt] = [left, l.at];
      if (r !== undefined && r.at < smallestAt) smallest = right;
      if (smallest === index) break;
      const child = heap[smallest];
      if (child === undefined) break;
      heap[index] = child;
      index = smallest;
    }
    heap[index] = last;
  }
}
