import type { Cancel, Clock } from '@shardcache/health';
import type { MembershipView } from './membership-source.js';

/** A view received but not in force yet: its epoch, how many times applying it failed, and why. */
export interface PendingView {
  readonly epoch: number;
  readonly attempts: number;
  /** The last failure's message, while it waits for the next attempt. */
  readonly waiting: string | undefined;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

/**
 * Follows a membership source's views: an epoch counts as applied only once its ring is in
 * force. A view whose change fails (a new node not answering yet) is retried with back-off
 * (100 ms doubling to 5 s) until it applies or a newer view replaces it; an older view than the
 * one applied or waiting is ignored.
 */
export class MembershipFollower {
  readonly #apply: (view: MembershipView, swapped: () => void) => Promise<unknown>;
  readonly #clock: Clock;
  readonly #report: (error: unknown) => void;
  #applied: number;
  #pending: { view: MembershipView; attempts: number; waiting: string | undefined; cancel: Cancel | undefined } | undefined;
  #closed = false;

  /** `apply` calls `swapped` in the same tick as the ring swap, so the epoch moves with the ring. */
  constructor(epoch: number, apply: (view: MembershipView, swapped: () => void) => Promise<unknown>, clock: Clock, report: (error: unknown) => void) {
    this.#applied = epoch;
    this.#apply = apply;
    this.#clock = clock;
    this.#report = report;
  }

  /** The epoch whose ring is in force. */
  get epoch(): number {
    return this.#applied;
  }

  /** An epoch whose ring is already in force (the view a client was opened with). */
  inForce(epoch: number): void {
    this.#applied = Math.max(this.#applied, epoch);
  }

  get pending(): PendingView | undefined {
    const pending = this.#pending;
    return pending === undefined ? undefined : { epoch: pending.view.epoch, attempts: pending.attempts, waiting: pending.waiting };
  }

  offer(view: MembershipView): void {
    if (this.#closed || view.epoch <= Math.max(this.#applied, this.#pending?.view.epoch ?? 0)) return;
    this.#pending?.cancel?.();
    this.#pending = { view, attempts: 0, waiting: undefined, cancel: undefined };
    void this.#attempt();
  }

  close(): void {
    this.#closed = true;
    this.#pending?.cancel?.();
    this.#pending = undefined;
  }

  async #attempt(): Promise<void> {
    const pending = this.#pending;
    if (pending === undefined || this.#closed) return;
    pending.cancel = undefined;
    const swapped = (): void => {
      this.#applied = Math.max(this.#applied, pending.view.epoch);
      if (this.#pending === pending) this.#pending = undefined;
    };
    try {
      await this.#apply(pending.view, swapped);
      swapped();
    } catch (error) {
      // Replaced by a newer view (or closed) meanwhile: that one is being applied instead.
      if (this.#pending !== pending || this.#closed) return;
      pending.attempts++;
      pending.waiting = error instanceof Error ? error.message : String(error);
      this.#report(error);
      const delay = Math.min(FIRST_RETRY_MS * 2 ** (pending.attempts - 1), MAX_RETRY_MS);
      pending.cancel = this.#clock.schedule(() => void this.#attempt(), delay);
    }
  }
}
