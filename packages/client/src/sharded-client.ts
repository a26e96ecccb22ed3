import { EventEmitter } from 'node:events';
import type { RingDiff } from '@shardcache/ring';
import { CallEngine, type Sender } from './calls/call-engine.js';
import { NO_OPTIONS, readsBuffer, type CallOptions, type ManyOptions, type ManyReadOptions, type ReadOptions, type SetEntry, type WriteOptions } from './calls/call-options.js';
import { MultiKeyCalls } from './calls/multi-key-calls.js';
import { resolveOptions, type ResolvedOptions, type ShardedClientOptions } from './client-options.js';
import { ClosedError, MembershipMalformedError, ShardcacheError } from './errors.js';
import type { ClientEvents } from './events.js';
import { asShardcacheError } from './internal/as-shardcache-error.js';
import { emitSafely } from './internal/listeners.js';
import { ringChannel } from './internal/tracing.js';
import { KeyRules } from './keyspace/key-rules.js';
import { changeTo, type MembershipChange } from './membership/membership-change.js';
import { MembershipFollower, type PendingView } from './membership/membership-follower.js';
import type { MembershipSource, MembershipStatus } from './membership/membership-source.js';
import { migrate, type MigrationOptions, type MigrationResult } from './migration/migrate.js';
import type { ManyResult } from './multi-key.js';
import type { CasResult } from './nodes/cache-node.js';
import { defaultNodeFactory } from './nodes/default-node-factory.js';
import type { NodeSpec } from './nodes/node-address.js';
import { resolveRejoin } from './rejoin/rejoin-guard.js';
import type { RingChange } from './routing/router.js';
import { Topology } from './routing/topology.js';
import type { NodeStatsSnapshot } from './stats/node-stats.js';
import { normalizeTtl, type TtlInput } from './values/ttl.js';
import { ValueCodec } from './values/value-codec.js';

export type { CallOptions, ManyOptions, ManyReadOptions, ReadOptions, SetEntry, WriteOptions } from './calls/call-options.js';

/** A `client.stats` snapshot. */
export interface ClientStats {
  /** `maxValueBytes`: the limit writes to the node are held to (the option, or the server's setting when lower and known). */
  readonly nodes: Readonly<Record<string, NodeStatsSnapshot & { readonly ejected: boolean; readonly maxValueBytes: number }>>;
  readonly total: { readonly calls: number; readonly hits: number; readonly misses: number; readonly errors: number; readonly timeouts: number; readonly inFlight: number };
  /**
   * The planned-membership epoch whose ring is in force, where membership comes from, and a
   * newer view still waiting to apply (its epoch, failed attempts, and why), if any; `state` is
   * `alone` while the source is out of reach (`reason` says why), else `following`.
   */
  readonly membership: { readonly epoch: number; readonly source: string; readonly pending: PendingView | undefined } & MembershipStatus;
  /** Keys each node missed while it (or their owner) was out, waiting to be purged (Infinity: overflowed). */
  readonly rejoinTracked: Readonly<Record<string, number>>;
  /** Warm-up after the last planned change: still on, and reads served from previous owners. */
  readonly warmup: { readonly active: boolean; readonly hits: number };
  /**
   * A migration ran since the last planned change (`pending`), and how many keys written since
   * it started will be purged from their new owners before the next change swaps the ring
   * (Infinity: too many to list, the new owners are scanned instead).
   */
  readonly migration: { readonly pending: boolean; readonly tracked: number };
}

// Module-level senders: a write allocates no closure to say what to send.
const sendSet: Sender<void> = (node, wire, item, ttl) => node.set(wire, item.value, item.flags, ttl);
const sendAdd: Sender<boolean> = (node, wire, item, ttl) => node.add(wire, item.value, item.flags, ttl);
const sendReplace: Sender<boolean> = (node, wire, item, ttl) => node.replace(wire, item.value, item.flags, ttl);

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
  readonly #options: ResolvedOptions;
  readonly #topology: Topology;
  readonly #engine: CallEngine;
  readonly #many: MultiKeyCalls;
  readonly #membership: MembershipSource | undefined;
  readonly #follower: MembershipFollower;
  #unwatch: (() => void) | undefined;
  #membershipStatus: MembershipStatus = { state: 'following', reason: undefined };
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
    client.#follower.inForce(view.epoch);
    return client;
  }

  constructor(options: ShardedClientOptions) {
    super();
    const resolved = resolveOptions(options);
    this.#options = resolved;
    const codec = new ValueCodec({
      ...(options.serializer === undefined ? {} : { serializer: options.serializer }),
      ...(options.compressAbove === undefined ? {} : { compressAbove: options.compressAbove }),
      ...(options.values === undefined ? {} : { values: options.values }),
    });
    // Failures flow back through the topology: health ejects and restores, the ring swaps.
    this.#topology = new Topology(resolved, options.nodeFactory ?? defaultNodeFactory, resolveRejoin(options.rejoin), {
      ejected: (node, reason) => emitSafely(this, 'node:ejected', { node, reason }),
      restored: (node) => emitSafely(this, 'node:restored', { node }),
      changed: (change) => this.#announce(change),
      error: (node, error) => this.#report(node, asShardcacheError(error)),
    });
    this.#engine = new CallEngine(resolved, new KeyRules(resolved.keys), codec, this.#topology, {
      closed: () => this.#closed,
      listening: () => this.listenerCount('error') > 0,
      report: (node, error) => this.#report(node, error),
    });
    this.#many = new MultiKeyCalls(this.#engine);
    this.#membership = options.membership;
    this.#follower = new MembershipFollower(
      0,
      (view, swapped) => (this.#closed ? Promise.reject(new ClosedError('ShardedClient')) : this.#topology.apply(changeTo(this.#topology.addresses, view.nodes), swapped)),
      resolved.clock,
      (error) => this.#report(undefined, asShardcacheError(error)),
    );
    const source = this.#membership?.description ?? 'static';
    this.#unwatch = this.#membership?.watch(
      (view) => this.#follower.offer(view),
      (error) => {
        // A refused list is news about the source, not a failed call: the ring in force stays.
        if (error instanceof MembershipMalformedError) emitSafely(this, 'membership:refused', { source, epoch: error.epoch, entry: error.entry, reason: error.message });
        else this.#report(undefined, asShardcacheError(error));
      },
      (status) => {
        this.#membershipStatus = status;
        emitSafely(this, 'membership:status', { source, ...status });
      },
    );
  }

  /** The planned ring (membership), before ejections. */
  get ring(): ResolvedOptions['ring'] {
    return this.#topology.router.ring;
  }

  /** Node ids currently out of placement. */
  get ejected(): readonly string[] {
    return [...this.#topology.router.ejected];
  }

  /** The membership epoch this client has applied (0 without a membership source). */
  get epoch(): number {
    return this.#follower.epoch;
  }

  /** Where `key` goes now: the node id, or undefined when no node serves it. */
  locate(key: string): string | undefined {
    return this.#topology.router.route(this.#engine.rules.route(key).placement);
  }

  /** The value, or undefined for a miss. With `{ as: 'buffer' }`, its bytes (see `ReadOptions`). */
  get(key: string, options: ReadOptions & { readonly as: 'buffer' }): Promise<Buffer | undefined>;
  get<T = unknown>(key: string, options?: ReadOptions): Promise<T | undefined>;
  get(key: string, options: ReadOptions = NO_OPTIONS): Promise<unknown> {
    return this.#engine.get(key, options);
  }

  set(key: string, value: unknown, options: WriteOptions = NO_OPTIONS): Promise<void> {
    return this.#engine.store('set', key, value, options, sendSet);
  }

  /** Stores only if absent; false when the key exists. */
  add(key: string, value: unknown, options: WriteOptions = NO_OPTIONS): Promise<boolean> {
    return this.#engine.store('add', key, value, options, sendAdd);
  }

  /** Stores only if present; false when the key is absent. */
  replace(key: string, value: unknown, options: WriteOptions = NO_OPTIONS): Promise<boolean> {
    return this.#engine.store('replace', key, value, options, sendReplace);
  }

  /** The value and its version token, for `cas`. */
  gets(key: string, options: ReadOptions & { readonly as: 'buffer' }): Promise<{ value: Buffer; cas: string } | undefined>;
  gets<T = unknown>(key: string, options?: ReadOptions): Promise<{ value: T; cas: string } | undefined>;
  async gets(key: string, options: ReadOptions = NO_OPTIONS): Promise<{ value: unknown; cas: string } | undefined> {
    const engine = this.#engine;
    const routed = engine.route(key);
    const asBuffer = readsBuffer(options);
    const slot = engine.readSlot(routed);
    if (slot === undefined) return undefined;
    if (engine.orphaned(slot, routed.wire)) return engine.decode(slot, routed.wire, undefined);
    const item = await engine.run(slot, 'gets', routed.wire, options, (node) => node.gets(routed.wire, options));
    if (item === undefined) return engine.decode(slot, routed.wire, undefined);
    return { value: await engine.decode(slot, routed.wire, item, asBuffer), cas: item.cas };
  }

  /** Stores only if the value is unchanged since `gets` returned `cas`. */
  cas(key: string, value: unknown, cas: string, options: WriteOptions = NO_OPTIONS): Promise<CasResult> {
    return this.#engine.store('cas', key, value, options, (node, wire, item, ttl) => node.cas(wire, item.value, item.flags, ttl, cas));
  }

  /** False when there was nothing to delete. */
  delete(key: string, options: CallOptions = NO_OPTIONS): Promise<boolean> {
    return this.#engine.modify('delete', key, options, null, (node, wire) => node.delete(wire, options));
  }

  /** Adds `delta` to an existing counter; undefined (nothing created) when the key is absent. */
  incr(key: string, delta = 1, options: CallOptions = NO_OPTIONS): Promise<number | undefined> {
    return this.#counter('incr', key, delta, options);
  }

  /** Subtracts `delta`, stopping at 0 (memcached's rule, kept on redis too). */
  decr(key: string, delta = 1, options: CallOptions = NO_OPTIONS): Promise<number | undefined> {
    return this.#counter('decr', key, delta, options);
  }

  /** Sets a new TTL; false when the key is absent. */
  async touch(key: string, ttl: TtlInput, options: CallOptions = NO_OPTIONS): Promise<boolean> {
    const normalized = normalizeTtl(ttl, this.#engine.maxTtl);
    return this.#engine.modify('touch', key, options, normalized, (node, wire, capped) => node.touch(wire, capped, options), false);
  }

  /**
   * Reads many keys: one multi-get per node, all nodes in parallel. `values` follows the order
   * of `keys`; keys whose node failed are listed in `failures` (their value is undefined).
   */
  getMany(keys: readonly string[], options: ManyReadOptions & { readonly as: 'buffer' }): Promise<ManyResult<Buffer>>;
  getMany<T = unknown>(keys: readonly string[], options?: ManyReadOptions): Promise<ManyResult<T>>;
  getMany(keys: readonly string[], options: ManyReadOptions = NO_OPTIONS): Promise<ManyResult<unknown>> {
    return this.#many.getMany(keys, options);
  }

  /** Writes many keys: one pipeline (or batch) per node, in parallel. Not atomic across nodes. */
  setMany(entries: readonly SetEntry[], options: ManyOptions = NO_OPTIONS): Promise<Pick<ManyResult<never>, 'failures'>> {
    return this.#many.setMany(entries, options);
  }

  /** Deletes many keys; `deleted` counts those that existed. */
  deleteMany(keys: readonly string[], options: ManyOptions = NO_OPTIONS): Promise<{ deleted: number } & Pick<ManyResult<never>, 'failures'>> {
    return this.#many.deleteMany(keys, options);
  }

  /** Removes every item on every node (not only this client's prefix). */
  async flush(options: CallOptions = NO_OPTIONS): Promise<void> {
    this.#engine.assertOpen();
    await Promise.all([...this.#topology.slots].map((slot) => this.#engine.run(slot, 'flush', undefined, options, (node) => node.flush(options))));
  }

  /** Pings every node; resolves with the ids that answered and the errors of those that did not. */
  async ping(options: CallOptions = NO_OPTIONS): Promise<{ up: string[]; down: Record<string, ShardcacheError> }> {
    this.#engine.assertOpen();
    const up: string[] = [];
    const down: Record<string, ShardcacheError> = {};
    await Promise.all(
      [...this.#topology.slots].map(async (slot) => {
        try {
          await this.#engine.run(slot, 'ping', undefined, options, (node) => node.ping(options));
          up.push(slot.id);
        } catch (error) {
          down[slot.id] = asShardcacheError(error);
        }
      }),
    );
    return { up, down };
  }

  /** A plain snapshot of per-node and total counters. */
  get stats(): ClientStats {
    const nodes: Record<string, NodeStatsSnapshot & { ejected: boolean; maxValueBytes: number }> = {};
    const total = { calls: 0, hits: 0, misses: 0, errors: 0, timeouts: 0, inFlight: 0 };
    const health = new Map(this.#topology.health.stats.nodes.map((node) => [node.node, node]));
    for (const slot of this.#topology.slots) {
      const snapshot = slot.stats.snapshot(health.get(slot.id) ?? { p50Ms: undefined, p99Ms: undefined });
      nodes[slot.id] = { ...snapshot, ejected: this.#topology.router.ejected.has(slot.id), maxValueBytes: slot.maxValueBytes };
      total.calls += snapshot.calls;
      total.hits += snapshot.hits;
      total.misses += snapshot.misses;
      total.errors += Object.values(snapshot.errors).reduce((sum, count) => sum + count, 0);
      total.timeouts += snapshot.timeouts;
      total.inFlight += snapshot.inFlight;
    }
    return {
      nodes,
      total,
      membership: { epoch: this.#follower.epoch, source: this.#membership?.description ?? 'static', pending: this.#follower.pending, ...this.#membershipStatus },
      rejoinTracked: this.#topology.rejoin.tracked,
      warmup: { active: this.#topology.warmUp.active, hits: this.#topology.warmUp.hits },
      migration: { pending: this.#topology.migrations.current !== undefined, tracked: this.#topology.migrations.current?.tracked ?? 0 },
    };
  }

  /** The exact ring diff a membership change would make (share moving, from where to where), before anything happens. */
  previewChange(change: MembershipChange): RingDiff {
    return this.#topology.preview(change);
  }

  /**
   * Applies a planned membership change while traffic flows: new nodes connect first, the ring
   * swaps in one step (announced by `ring:changed`), removed nodes close after their calls in
   * flight finish. Changes apply one at a time, in order.
   */
  applyChange(change: MembershipChange): Promise<RingChange> {
    if (this.#closed) return Promise.reject(new ClosedError('ShardedClient'));
    return this.#topology.apply(change);
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
    return migrate({ topology: this.#topology, rules: this.#engine.rules, clock: this.#options.clock, timeoutMs: this.#options.timeoutMs }, change, options);
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
    return this.applyChange(changeTo(this.#topology.addresses, nodes));
  }

  /** Takes a node out of placement (health calls this; operators may too). */
  eject(node: string, reason = 'manual'): void {
    this.#topology.eject(node, reason);
  }

  /**
   * Puts an ejected node back into placement, after deleting from it (and from every node that
   * serves keys again) what this client wrote elsewhere meanwhile.
   */
  restore(node: string): Promise<void> {
    return this.#topology.restore(node);
  }

  /** Waits for calls in flight (each bounded by its deadline), then closes every node. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unwatch?.();
    this.#follower.close();
    await this.#topology.close();
  }

  /** Closes every node now; calls in flight fail. */
  async destroy(): Promise<void> {
    this.#closed = true;
    this.#unwatch?.();
    this.#follower.close();
    await this.#topology.destroy();
  }

  async #counter(command: 'incr' | 'decr', key: string, delta: number, options: CallOptions): Promise<number | undefined> {
    if (!Number.isSafeInteger(delta) || delta < 0) throw new ShardcacheError('ERR_INVALID_ARGUMENT', `${command} delta must be a non-negative safe integer, got ${delta}`);
    return this.#engine.modify(command, key, options, null, (node, wire) => (command === 'incr' ? node.incr(wire, delta, options) : node.decr(wire, delta, options)), undefined);
  }

  #report(node: string | undefined, error: ShardcacheError): void {
    emitSafely(this, 'error', { node, error });
  }

  #announce(change: RingChange): void {
    emitSafely(this, 'ring:changed', change);
    if (ringChannel.hasSubscribers) ringChannel.publish(change);
  }
}
