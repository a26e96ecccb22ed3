import type { Cancel, Clock } from '@shardcache/health';

/** Something with a deadline: `expire()` runs at `at` unless `done` was set first. */
export interface Expirable {
  at: number;
  done: boolean;
  expire(): void;
}

/**
 * Per-call deadlines without a timer per call (a timer costs more than the rest of the success
 * path together). Calls with the same timeout expire in the order they started, so each
 * distinct timeout keeps a FIFO: starting a call appends to it, a settled call at the head is
 * dropped at once (replies mostly arrive in order), and one timer per FIFO watches its head.
 *
 * @example
 * const deadlines = new DeadlineQueue(systemClock);
 * deadlines.add(call, 250);   // call.expire() in 250 ms unless call.done is set
 * call.done = true; deadlines.settled(call);
 */
export class DeadlineQueue {
  readonly #clock: Clock;
  readonly #fifos = new Map<number, Fifo>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** `entry` expires `ms` after `now` (by default the clock's now; never a time before the last add's). */
  add(entry: Expirable, ms: number, now = this.#clock.now()): void {
    let fifo = this.#fifos.get(ms);
    if (fifo === undefined) {
      fifo = new Fifo(this.#clock);
      this.#fifos.set(ms, fifo);
    }
    entry.at = now + ms;
    fifo.push(entry);
  }

  /** Tells the queue an entry settled (after setting `done`), so the head can be dropped. */
  settled(entry: Expirable, ms: number): void {
    this.#fifos.get(ms)?.trim(entry);
  }

  /** Entries not yet settled or expired. */
  get size(): number {
    let size = 0;
    for (const fifo of this.#fifos.values()) size += fifo.pending;
    return size;
  }
}

class Fifo {
  readonly #clock: Clock;
  #entries: Expirable[] = [];
  #head = 0;
  #cancel: Cancel | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get pending(): number {
    let count = 0;
    for (let i = this.#head; i < this.#entries.length; i++) if (this.#entries[i]?.done === false) count++;
    return count;
  }

  push(entry: Expirable): void {
    this.#entries.push(entry);
    if (this.#cancel === undefined) this.#arm(entry.at);
  }

  trim(settled: Expirable): void {
    if (this.#entries[this.#head] !== settled) return;
    this.#dropSettled();
  }

  #dropSettled(): void {
    const entries = this.#entries;
    while (this.#head < entries.length && entries[this.#head]?.done === true) this.#head++;
    if (this.#head === entries.length) {
      entries.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > entries.length) {
      this.#entries = entries.slice(this.#head);
      this.#head = 0;
    }
  }

  #arm(at: number): void {
    // Exactly at the head's deadline: a caller is never answered later than it asked (the
    // model checker holds it to that on a virtual clock). Timers need no floor of their own:
    // a fire expires every entry due, and Node's timers resolve no finer than 1 ms anyway.
    this.#cancel = this.#clock.schedule(() => this.#fire(), Math.max(at - this.#clock.now(), 0));
  }

  #fire(): void {
    this.#cancel = undefined;
    const now = this.#clock.now();
    const entries = this.#entries;
    while (this.#head < entries.length) {
      const entry = entries[this.#head];
      if (entry === undefined || (!entry.done && entry.at > now)) break;
      this.#head++;
      if (!entry.done) {
        entry.done = true;
        entry.expire();
      }
    }
    this.#dropSettled();
    const next = entries === this.#entries ? entries[this.#head] : this.#entries[this.#head];
    if (next !== undefined) this.#arm(next.at);
  }
}
