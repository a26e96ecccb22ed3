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

  /** `entry` expires `ms` after `now` (by default the clock's now; an earlier `now`, a call that began before it was queued, is placed in order). */
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
  #armedAt = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get pending(): number {
    let count = 0;
    for (let i = this.#head; i < this.#entries.length; i++) if (this.#entries[i]?.done === false) count++;
    return count;
  }

  push(entry: Expirable): void {
    const entries = this.#entries;
    // Calls mostly arrive in deadline order; one that counts from an earlier start (a write
    // whose value took long to encode) goes before the later deadlines already queued.
    let at = entries.length;
    while (at > this.#head && (entries[at - 1] as Expirable).at > entry.at) at--;
    if (at === entries.length) entries.push(entry);
    else entries.splice(at, 0, entry);
    // A timer armed for an earlier time re-arms when it fires; one armed later must move.
    if (at === this.#head && (this.#cancel === undefined || this.#armedAt > entry.at)) this.#rearm();
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

  #rearm(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    const head = this.#entries[this.#head];
    if (head === undefined) return;
    // Exactly at the head's deadline: a caller is never answered later than it asked (the
    // model checker holds it to that on a virtual clock). Timers need no floor of their own:
    // a fire expires every entry due, and Node's timers resolve no finer than 1 ms anyway.
    this.#armedAt = head.at;
    this.#cancel = this.#clock.schedule(() => this.#fire(), Math.max(head.at - this.#clock.now(), 0));
  }

  #fire(): void {
    this.#cancel = undefined;
    const now = this.#clock.now();
    // The queue is read afresh at each step: an expiry runs the client's reactions, which may
    // settle entries (compacting the queue) or add some before this loop is over. Found by the
    // nemesis: a fire re-entered that way lost its place and left due calls unexpired.
    for (let entry = this.#entries[this.#head]; entry !== undefined && (entry.done || entry.at <= now); entry = this.#entries[this.#head]) {
      this.#head++;
      if (!entry.done) {
        entry.done = true;
        entry.expire();
      }
    }
    this.#dropSettled();
    this.#rearm();
  }
}
