import { EventEmitter } from 'node:events';
import type { RingDiff } from '@shardcache/ring';
import { sendAdd, sendReplace, sendSet } from './calls/senders.js';
import { clientParts, type ClientParts } from './client-parts.js';
import { NO_OPTIONS, type CallOptions, type ManyOptions, type ManyReadOptions, type ReadOptions, type SetEntry, type WriteOptions } from './calls/call-options.js';
import { flushAll, pingAll } from './calls/fleet-calls.js';
import type { ResolvedOptions, ShardedClientOptions } from './client-options.js';
import type { ShardcacheError } from './errors.js';
import { ClosedError } from './errors.js';
import type { ClientEvents } from './events.js';
import { changeTo, type MembershipChange } from './membership/membership-change.js';
import { migrate, type MigrationOptions, type MigrationResult } from './migration/migrate.js';
import type { ManyResult } from './multi-key.js';
import type { CasResult } from './nodes/cache-node.js';
import type { NodeSpec } from './nodes/node-address.js';
import type { RingChange } from './routing/router.js';
import { clientStats, type ClientStats } from './stats/client-stats.js';
import { normalizeTtl, type TtlInput } from './values/ttl.js';

export type { CallOptions, ManyOptions, ManyReadOptions, ReadOptions, SetEntry, WriteOptions } from './calls/call-options.js';

export type { ClientStats } from './stats/client-stats.js';

/**
 * One cache over a fleet of Memcached or Redis nodes.
 *
 * A call flows one way: key rules (prefix, validation, hash tag) -> ring -> the node's health
 * gate -> the node -> the server; failures flow back into health, which may eject the node,
 * and the client then swaps in a new ring (`calls/` holds the request path, `routing/` the
 * ring, health and node slots, `nodes/` the adapters).
 *
 * @example
 * const cache = new ShardedClient({ backend: 'redis', nodes: ['10.0.0.1:6379', '10.0.0.2:6379'] });
 * await cache.set('user:1', { name: 'Ada' }, { ttl: 300 });
 * await cache.get('user:1'); // { name: 'Ada' }
 * await cache.close();
 */
export class ShardedClient extends EventEmitter<ClientEvents> {
  readonly #parts: ClientParts;
  #closed = false;

  /**
   * A client whose fleet comes from `options.membership`: reads its current view first, then
   * follows it. Equivalent to `new ShardedClient(options)` when `nodes` are given.
   *
   * @example
   * const client = await ShardedClient.open({ backend: 'redis', membership: redisMembership({ host, port }) });
   */
  static async open(options: ShardedClientOptions): Promise<ShardedClient> {
    if (options.membership === undefined || options.nodes !== undefined || options.twemproxy !== undefined) return new ShardedClient(options);
    const view = await options.membership.read();
    const client = new ShardedClient({ ...options, nodes: view.nodes });
    client.#parts.membership.inForce(view.epoch);
    return client;
  }

  constructor(options: ShardedClientOptions) {
    super();
    this.#parts = clientParts(options, this, () => this.#closed);
  }

  /** The planned ring (membership), before ejections. */
  get ring(): ResolvedOptions['ring'] {
    return this.#parts.topology.router.ring;
  }

  /** Node ids currently out of placement. */
  get ejected(): readonly string[] {
    return [...this.#parts.topology.router.ejected];
  }

  /** The membership epoch this client has applied (0 without a membership source). */
  get epoch(): number {
    return this.#parts.membership.epoch;
  }

  /** Where `key` goes now: the node id, or undefined when no node serves it. */
  locate(key: string): string | undefined {
    return this.#parts.topology.router.route(this.#parts.engine.rules.route(key).placement);
  }

  /** The value, or undefined for a miss. With `{ as: 'buffer' }`, its bytes (see `ReadOptions`). */
  get(key: string, options: ReadOptions & { readonly as: 'buffer' }): Promise<Buffer | undefined>;
  get<T = unknown>(key: string, options?: ReadOptions): Promise<T | undefined>;
  get(key: string, options: ReadOptions = NO_OPTIONS): Promise<unknown> {
    return this.#parts.engine.get(key, options);
  }

  set(key: string, value: unknown, options: WriteOptions = NO_OPTIONS): Promise<void> {
    return this.#parts.engine.store('set', key, value, options, sendSet);
  }

  /** Stores only if absent; false when the key exists. */
  add(key: string, value: unknown, options: WriteOptions = NO_OPTIONS): Promise<boolean> {
    return this.#parts.engine.store('add', key, value, options, sendAdd);
  }

  /** Stores only if present; false when the key is absent. */
  replace(key: string, value: unknown, options: WriteOptions = NO_OPTIONS): Promise<boolean> {
    return this.#parts.engine.store('replace', key, value, options, sendReplace);
  }

  /** The value and its version token, for `cas`. */
  gets(key: string, options: ReadOptions & { readonly as: 'buffer' }): Promise<{ value: Buffer; cas: string } | undefined>;
  gets<T = unknown>(key: string, options?: ReadOptions): Promise<{ value: T; cas: string } | undefined>;
  gets(key: string, options: ReadOptions = NO_OPTIONS): Promise<{ value: unknown; cas: string } | undefined> {
    return this.#parts.engine.gets(key, options);
  }

  /** Stores only if the value is unchanged since `gets` returned `cas`. */
  cas(key: string, value: unknown, cas: string, options: WriteOptions = NO_OPTIONS): Promise<CasResult> {
    return this.#parts.engine.store('cas', key, value, options, (node, wire, item, ttl) => node.cas(wire, item.value, item.flags, ttl, cas));
  }

  /** False when there was nothing to delete. */
  delete(key: string, options: CallOptions = NO_OPTIONS): Promise<boolean> {
    return this.#parts.engine.modify('delete', key, options, null, (node, wire) => node.delete(wire, options));
  }

  /** Adds `delta` to an existing counter; undefined (nothing created) when the key is absent. */
  incr(key: string, delta = 1, options: CallOptions = NO_OPTIONS): Promise<number | undefined> {
    return this.#parts.engine.counter('incr', key, delta, options);
  }

  /** Subtracts `delta`, stopping at 0 (memcached's rule, kept on redis too). */
  decr(key: string, delta = 1, options: CallOptions = NO_OPTIONS): Promise<number | undefined> {
    return this.#parts.engine.counter('decr', key, delta, options);
  }

  /** Sets a new TTL; false when the key is absent. */
  async touch(key: string, ttl: TtlInput, options: CallOptions = NO_OPTIONS): Promise<boolean> {
    const normalized = normalizeTtl(ttl, this.#parts.engine.maxTtl);
    return this.#parts.engine.modify('touch', key, options, normalized, (node, wire, capped) => node.touch(wire, capped, options), false);
  }

  /**
   * Reads many keys: one multi-get per node, all nodes in parallel. `values` follows the order
   * of `keys`; keys whose node failed are listed in `failures` (their value is undefined).
   */
  getMany(keys: readonly string[], options: ManyReadOptions & { readonly as: 'buffer' }): Promise<ManyResult<Buffer>>;
  getMany<T = unknown>(keys: readonly string[], options?: ManyReadOptions): Promise<ManyResult<T>>;
  getMany(keys: readonly string[], options: ManyReadOptions = NO_OPTIONS): Promise<ManyResult<unknown>> {
    return this.#parts.many.getMany(keys, options);
  }

  /** Writes many keys: one pipeline (or batch) per node, in parallel. Not atomic across nodes. */
  setMany(entries: readonly SetEntry[], options: ManyOptions = NO_OPTIONS): Promise<Pick<ManyResult<never>, 'failures'>> {
    return this.#parts.many.setMany(entries, options);
  }

  /** Deletes many keys; `deleted` counts those that existed. */
  deleteMany(keys: readonly string[], options: ManyOptions = NO_OPTIONS): Promise<{ deleted: number } & Pick<ManyResult<never>, 'failures'>> {
    return this.#parts.many.deleteMany(keys, options);
  }

  /** Removes every item on every node (not only this client's prefix). */
  flush(options: CallOptions = NO_OPTIONS): Promise<void> {
    return flushAll(this.#parts.engine, options);
  }

  /** Pings every node; resolves with the ids that answered and the errors of those that did not. */
  ping(options: CallOptions = NO_OPTIONS): Promise<{ up: string[]; down: Record<string, ShardcacheError> }> {
    return pingAll(this.#parts.engine, options);
  }

  /** A plain snapshot of per-node and total counters. */
  get stats(): ClientStats {
    return clientStats(this.#parts.topology, this.#parts.membership.stats);
  }

  /** The exact ring diff a membership change would make (share moving, from where to where), before anything happens. */
  previewChange(change: MembershipChange): RingDiff {
    return this.#parts.topology.preview(change);
  }

  /**
   * Applies a planned membership change while traffic flows: new nodes connect first, the ring
   * swaps in one step (announced by `ring:changed`), removed nodes close after their calls in
   * flight finish. Changes apply one at a time, in order.
   */
  applyChange(change: MembershipChange): Promise<RingChange> {
    if (this.#closed) return Promise.reject(new ClosedError('ShardedClient'));
    return this.#parts.topology.apply(change);
  }

  /**
   * Copies the values `change` would move to their new owners, before you apply it (redis:
   * SCAN + DUMP/RESTORE with TTLs kept, never over a value already there). Resumable from the
   * returned checkpoint, rate-limited, cancellable with a signal; reports progress. Until the
   * next `applyChange`, writes to keys it moves are recorded, and that `applyChange` deletes
   * their copies at the new owners before it swaps the ring (it also waits for a migration
   * still copying), so no copy older than a write is served.
   *
   * @example
   * const change = { add: ['10.0.0.9:6379'] };
   * const result = await cache.migrate(change, { rateLimit: 50_000, onProgress: (p) => console.log(p.moved) });
   * if (result.completed) await cache.applyChange(change);
   */
  migrate(change: MembershipChange, options?: MigrationOptions): Promise<MigrationResult> {
    if (this.#closed) return Promise.reject(new ClosedError('ShardedClient'));
    return migrate({ topology: this.#parts.topology, rules: this.#parts.engine.rules, clock: this.#parts.options.clock, timeoutMs: this.#parts.options.timeoutMs }, change, options);
  }

  addNodes(nodes: readonly NodeSpec[]): Promise<RingChange> {
    return this.applyChange({ add: nodes });
  }

  removeNodes(ids: readonly string[]): Promise<RingChange> {
    return this.applyChange({ remove: ids });
  }

  setWeights(weights: Readonly<Record<string, number>>): Promise<RingChange> {
    return this.applyChange({ weights });
  }

  /** Reconciles the fleet to exactly `nodes` (adds, removes and reweighs as needed). */
  setNodes(nodes: readonly NodeSpec[]): Promise<RingChange> {
    return this.applyChange(changeTo(this.#parts.topology.addresses, nodes));
  }

  /** Takes a node out of placement (health calls this; operators may too). */
  eject(node: string, reason = 'manual'): void {
    this.#parts.topology.eject(node, reason);
  }

  /**
   * Puts an ejected node back into placement, after deleting from it (and from every node that
   * serves keys again) what this client wrote elsewhere meanwhile.
   */
  restore(node: string): Promise<void> {
    return this.#parts.topology.restore(node);
  }

  /** Waits for calls in flight (each bounded by its deadline), then closes every node. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#parts.membership.close();
    await this.#parts.topology.close();
  }

  /** Closes every node now; calls in flight fail. */
  async destroy(): Promise<void> {
    this.#closed = true;
    this.#parts.membership.close();
    await this.#parts.topology.destroy();
  }
}
