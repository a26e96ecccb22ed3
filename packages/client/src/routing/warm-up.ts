import type { Clock } from '@shardcache/health';
import type { Ring } from '@shardcache/ring';

/**
 * Warm-up after a planned change (`warmupMs`): for that long, a miss on a key's new owner may
 * read the node that owned it in the ring just replaced, and copy what it finds. The rules, each
 * here once:
 * - only the key's planned owner is warmed, never a failover node (the copy would be one the
 *   rejoin guard never heard of, served once the owner left again after newer writes: found by
 *   the nemesis, a read routed to a failover node missed just as the owner came back);
 * - never a key written or deleted since the change: its old copy is older than that write, and
 *   the write's delete of it may have failed or been skipped;
 * - past `maxTrackedKeys` keys written meanwhile, the window ends early rather than track
 *   without limit.
 * Which of those nodes are in the fleet and serving is the caller's to say.
 */
export class WarmUp {
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #maxTrackedKeys: number;
  #window: { readonly previous: Ring; readonly until: number; readonly written: Set<string> } | undefined;
  #hits = 0;

  constructor(clock: Clock, windowMs: number, maxTrackedKeys: number) {
    this.#clock = clock;
    this.#windowMs = windowMs;
    this.#maxTrackedKeys = maxTrackedKeys;
  }

  /** A planned change replaced `previous`: a new window opens (none when `warmupMs` is 0). */
  open(previous: Ring): void {
    this.#window = this.#windowMs > 0 ? { previous, until: this.#clock.now() + this.#windowMs, written: new Set() } : undefined;
  }

  /** A window is open (it closes for good at the first question asked after it ends). */
  get active(): boolean {
    return this.#window !== undefined;
  }

  /** Reads served by a key's previous owner. */
  get hits(): number {
    return this.#hits;
  }

  hit(): void {
    this.#hits++;
  }

  /** The node that owned `placement` before the change, while the window is open and it is not `current`. */
  previousOwner(placement: string, current: string): string | undefined {
    const window = this.#window;
    if (window === undefined) return undefined;
    if (this.#clock.now() >= window.until) {
      this.#window = undefined;
      return undefined;
    }
    const id = window.previous.locate(placement);
    return id === current ? undefined : id;
  }

  /** Where a miss on `current` may read `wire` instead; `plannedOwner` is the key's owner in the ring now. */
  source(placement: string, wire: string, current: string, plannedOwner: string): string | undefined {
    if (this.#window === undefined || this.#window.written.has(wire) || plannedOwner !== current) return undefined;
    return this.previousOwner(placement, current);
  }

  /** `wire` was written or deleted since the change: it is never warmed in this window. */
  written(wire: string): void {
    const window = this.#window;
    if (window === undefined) return;
    if (window.written.size >= this.#maxTrackedKeys) this.#window = undefined;
    else window.written.add(wire);
  }
}
