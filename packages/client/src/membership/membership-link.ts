import type { Clock } from '@shardcache/health';
import { MembershipMalformedError } from '../errors.js';
import { MembershipFollower, type PendingView } from './membership-follower.js';
import type { MembershipSource, MembershipStatus, MembershipView } from './membership-source.js';

/** What the link tells its client. */
export interface MembershipLinkEvents {
  /** The source failed (not a call: the ring in force stays). */
  error(error: unknown): void;
  /** The source published a list the client refused. */
  refused(epoch: number, entry: string, reason: string): void;
  status(status: MembershipStatus): void;
}

/**
 * A client's link to its membership source: watches it, applies each newer view through the
 * follower (`apply` swaps the ring), and keeps the source's status. Without a source, the
 * membership is static: epoch 0 for good.
 */
export class MembershipLink {
  readonly description: string;
  readonly #follower: MembershipFollower;
  readonly #unwatch: (() => void) | undefined;
  #status: MembershipStatus = { state: 'following', reason: undefined };

  constructor(source: MembershipSource | undefined, apply: (view: MembershipView, swapped: () => void) => Promise<unknown>, clock: Clock, events: MembershipLinkEvents) {
    this.description = source?.description ?? 'static';
    this.#follower = new MembershipFollower(0, apply, clock, (error) => events.error(error));
    this.#unwatch = source?.watch(
      (view) => this.#follower.offer(view),
      (error) => {
        if (error instanceof MembershipMalformedError) events.refused(error.epoch, error.entry, error.message);
        else events.error(error);
      },
      (status) => {
        this.#status = status;
        events.status(status);
      },
    );
  }

  /** The epoch whose ring is in force. */
  get epoch(): number {
    return this.#follower.epoch;
  }

  /** `client.stats.membership`. */
  get stats(): { readonly epoch: number; readonly source: string; readonly pending: PendingView | undefined } & MembershipStatus {
    return { epoch: this.#follower.epoch, source: this.description, pending: this.#follower.pending, ...this.#status };
  }

  /** The view read before the client was made is in force. */
  inForce(epoch: number): void {
    this.#follower.inForce(epoch);
  }

  close(): void {
    this.#unwatch?.();
    this.#follower.close();
  }
}
