/**
 * What the application was told, per key, and the two value invariants judged from it:
 * - no wrong value: a read returns a value some write of that key sent (or a miss);
 * - no stale read: never a value whose acknowledged write was followed by another acknowledged
 *   write (or delete) that finished before the read began.
 * A write that failed or timed out may or may not have happened: its value stays possible.
 * Time here is a sequence of events (invocations and completions), not the clock.
 */

/** One write of a key: `value` null for a delete. */
export interface Write {
  readonly value: string | null;
  readonly invokedAt: number;
  ackedAt: number | undefined;
  /** The write reached no server for certain (add/replace/cas that did not store). */
  noop: boolean;
}

export interface Violation {
  readonly invariant: 'wrong value' | 'stale read' | 'unsettled call' | 'unhandled rejection' | 'uncaught exception' | 'ejection without node failure' | 'stats' | 'listener dependence';
  readonly detail: string;
}

/** Counter keys hold decimal text; their reads are checked against what could have been stored. */
export const COUNTER_KEYS = ['n0', 'n1'] as const;
export const REGISTER_KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'] as const;
export const KEYS: readonly string[] = [...REGISTER_KEYS, ...COUNTER_KEYS];

export function isCounter(key: string): boolean {
  return key.startsWith('n');
}

export class History {
  #seq = 0;
  readonly #writes = new Map<string, Write[]>();
  /** Counter keys: the largest value a read may see (every set value, plus every increment asked). */
  readonly #counterBound = new Map<string, number>();
  readonly violations: Violation[] = [];
  /** Per key: nodes a planned change moved it away from, and when. */
  readonly #leftovers = new Map<string, Map<string, number>>();

  /** The next event's position. */
  tick(): number {
    return this.#seq++;
  }

  /** A write (or delete, `value` null) is invoked; returns the handle its completion takes. */
  write(key: string, value: string | null): Write {
    const write: Write = { value, invokedAt: this.tick(), ackedAt: undefined, noop: false };
    let writes = this.#writes.get(key);
    if (writes === undefined) this.#writes.set(key, (writes = []));
    writes.push(write);
    if (isCounter(key) && value !== null) this.#counterBound.set(key, Math.max(this.#counterBound.get(key) ?? 0, Number(value)));
    return write;
  }

  acked(write: Write): void {
    write.ackedAt = this.tick();
  }

  /** The write answered that it stored nothing (add on a present key, cas that lost). */
  noop(write: Write): void {
    write.noop = true;
  }

  /**
   * A planned change moved `key` away from `node`, which may keep its copy. Documented (client
   * README, "Planned changes move no data"): when a later routing change sends the key back to
   * that node (or warm-up reads it there as the previous owner), it reads that leftover copy
   * until the key is rewritten there. Such a read is not counted as stale; any other older value is.
   */
  movedAway(key: string, node: string): void {
    const at = this.tick();
    let nodes = this.#leftovers.get(key);
    if (nodes === undefined) this.#leftovers.set(key, (nodes = new Map()));
    nodes.set(node, at);
  }

  increment(key: string, delta: number): void {
    this.#counterBound.set(key, (this.#counterBound.get(key) ?? 0) + delta);
  }

  /**
   * Judges a read of `key` invoked at `invokedAt` that returned `value` now. `servers` are the
   * nodes it may have read: the node it was routed to, and during warm-up the key's previous owner.
   */
  read(key: string, invokedAt: number, value: unknown, servers: readonly string[]): void {
    const completedAt = this.tick();
    if (value === undefined) return;
    if (isCounter(key)) {
      const bound = this.#counterBound.get(key) ?? 0;
      if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) > bound) {
        this.violations.push({ invariant: 'wrong value', detail: `${key} read ${JSON.stringify(value)}; a counter there is at most ${bound}` });
      }
      return;
    }
    const writes = this.#writes.get(key) ?? [];
    const source = writes.find((write) => write.value === value && write.invokedAt < completedAt);
    if (source === undefined) {
      this.violations.push({ invariant: 'wrong value', detail: `${key} read ${JSON.stringify(value)}, which no write of ${key} sent` });
      return;
    }
    const sourceAck = source.ackedAt;
    if (sourceAck === undefined || source.noop) return;
    const newer = writes.find((write) => write !== source && !write.noop && write.ackedAt !== undefined && write.ackedAt < invokedAt && write.invokedAt > sourceAck);
    const leftovers = this.#leftovers.get(key);
    const leftover = servers.some((node) => (leftovers?.get(node) ?? -1) > sourceAck);
    if (newer !== undefined && !leftover) {
      this.violations.push({
        invariant: 'stale read',
        detail: `${key} read ${JSON.stringify(value)} (acknowledged at event ${sourceAck}), but ${newer.value === null ? 'a delete' : JSON.stringify(newer.value)} was acknowledged at event ${String(newer.ackedAt)}, before the read began at event ${invokedAt}`,
      });
    }
  }
}
