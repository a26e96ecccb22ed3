import { InvalidOptionError } from '../errors.js';

/** How a client keeps a returning node from serving values it missed while it was out. */
export interface RejoinOptions {
  /** Track failover writes and purge them on return. Default true. */
  readonly enabled?: boolean;
  /** Keys tracked per node; past it the node is flushed (or kept out) before it returns. Default 100,000. */
  readonly maxTrackedKeys?: number;
  /** What to do with a node whose tracking overflowed: `'flush'` it (default) or `'keep-out'`. */
  readonly onOverflow?: 'flush' | 'keep-out';
  /** Writes that land on a failover node get at most this TTL in seconds (mcrouter's failover exptime). Default 60; `'none'` keeps the caller's TTL. */
  readonly failoverTtl?: number | 'none';
  /** A node must stay healthy this long (ms) after health restores it before it takes traffic again. Default 1000. */
  readonly stableMs?: number;
}

export interface ResolvedRejoin {
  readonly enabled: boolean;
  readonly maxTrackedKeys: number;
  readonly onOverflow: 'flush' | 'keep-out';
  readonly failoverTtl: number | null;
  readonly stableMs: number;
}

export function resolveRejoin(options: RejoinOptions | undefined): ResolvedRejoin {
  const maxTrackedKeys = options?.maxTrackedKeys ?? 100_000;
  if (!Number.isInteger(maxTrackedKeys) || maxTrackedKeys < 0) throw new InvalidOptionError('rejoin.maxTrackedKeys', `expected a whole number >= 0, got ${String(maxTrackedKeys)}`);
  const onOverflow = options?.onOverflow ?? 'flush';
  if (onOverflow !== 'flush' && onOverflow !== 'keep-out') throw new InvalidOptionError('rejoin.onOverflow', `expected 'flush' or 'keep-out', got ${JSON.stringify(onOverflow)}`);
  const failoverTtl = options?.failoverTtl ?? 60;
  if (failoverTtl !== 'none' && !(Number.isInteger(failoverTtl) && failoverTtl > 0)) throw new InvalidOptionError('rejoin.failoverTtl', `expected whole seconds > 0 or 'none', got ${JSON.stringify(failoverTtl)}`);
  const stableMs = options?.stableMs ?? 1000;
  if (!(Number.isFinite(stableMs) && stableMs >= 0)) throw new InvalidOptionError('rejoin.stableMs', `expected milliseconds >= 0, got ${String(stableMs)}`);
  return { enabled: options?.enabled ?? true, maxTrackedKeys, onOverflow, failoverTtl: failoverTtl === 'none' ? null : failoverTtl, stableMs };
}

/** A key written or deleted away from its planned owner. */
export interface DirtyKey {
  readonly placement: string;
  /** The node that took the write instead (it keeps an orphan copy). */
  readonly servedBy: string;
}

/**
 * The keys each node missed: written or deleted on another node while the ring placed them
 * elsewhere. Keyed by the key's planned owner, the node that will serve it again once the ring
 * is whole, and bounded per node (past the bound the node is marked overflowed).
 */
export class RejoinGuard {
  readonly #max: number;
  readonly #dirty = new Map<string, Map<string, DirtyKey>>();
  readonly #overflowed = new Set<string>();

  constructor(maxTrackedKeys: number) {
    this.#max = maxTrackedKeys;
  }

  record(plannedOwner: string, wire: string, placement: string, servedBy: string): void {
    if (this.#overflowed.has(plannedOwner)) return;
    let keys = this.#dirty.get(plannedOwner);
    if (keys === undefined) {
      keys = new Map();
      this.#dirty.set(plannedOwner, keys);
    }
    keys.set(wire, { placement, servedBy });
    if (keys.size > this.#max) this.overflow(plannedOwner);
  }

  /** The keys a node missed (wire key -> entry); empty when none or overflowed. */
  missed(node: string): ReadonlyMap<string, DirtyKey> {
    return this.#dirty.get(node) ?? new Map();
  }

  /** Every failover copy recorded: the node that took the write, and the key. */
  *copies(): Generator<readonly [servedBy: string, wire: string]> {
    for (const keys of this.#dirty.values()) for (const [wire, entry] of keys) yield [entry.servedBy, wire];
  }

  /** Marks a node as holding copies too many to list (it is flushed or kept out before it returns). */
  overflow(node: string): void {
    this.#overflowed.add(node);
    this.#dirty.delete(node);
  }

  overflowed(node: string): boolean {
    return this.#overflowed.has(node);
  }

  /** Forgets keys once purged from their owner (only if not written again meanwhile). */
  forget(node: string, purged: ReadonlyMap<string, DirtyKey>): void {
    const keys = this.#dirty.get(node);
    if (keys === undefined) return;
    for (const [wire, entry] of purged) if (keys.get(wire) === entry) keys.delete(wire);
    if (keys.size === 0) this.#dirty.delete(node);
  }

  /** After a flush the node holds nothing stale. */
  flushed(node: string): void {
    this.#overflowed.delete(node);
    this.#dirty.delete(node);
  }

  /** Keys tracked per node, for stats. */
  get sizes(): Record<string, number> {
    const sizes: Record<string, number> = {};
    for (const [node, keys] of this.#dirty) sizes[node] = keys.size;
    for (const node of this.#overflowed) sizes[node] = Infinity;
    return sizes;
  }
}
