import { EventEmitter } from 'node:events';
import { resolveOptions, type NodeFactory, type ResolvedOptions, type ShardedClientOptions } from './client-options.js';
import { ClosedError, NodeUnavailableError, PartialFailureError, ShardcacheError, ValueTooLargeError, type KeyFailure } from './errors.js';
import type { ClientEvents } from './events.js';
import { commandChannel, ringChannel } from './internal/tracing.js';
import { KeyRules, type RoutedKey } from './keyspace/key-rules.js';
import { groupByNode, type ManyResult } from './multi-key.js';
import type { CacheNode, CasResult, EncodedValue, StoredItem, Ttl, WriteEntry } from './nodes/cache-node.js';
import { createMemjsNode } from './nodes/memjs-node.js';
import { createRedisNode } from './nodes/redis-node.js';
import type { NodeSlot } from './routing/node-slot.js';
import type { RingChange } from './routing/router.js';
import { Topology } from './routing/topology.js';
import { changeTo, type MembershipChange } from './membership/membership-change.js';
import type { NodeSpec } from './nodes/node-address.js';
import { resolveRejoin } from './rejoin/rejoin-guard.js';
import { migrate, type MigrationOptions, type MigrationResult } from './migration/migrate.js';
import type { MembershipSource, MembershipView } from './membership/membership-source.js';
import type { RingDiff } from '@shardcache/ring';
import type { NodeStatsSnapshot } from './stats/node-stats.js';
import { normalizeTtl, type TtlInput } from './values/ttl.js';
import { ValueCodec } from './values/value-codec.js';

/** Options every call takes. */
export interface CallOptions {
  /** Overrides the client's `timeoutMs` for this call. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Options for multi-key calls. */
export interface ManyOptions extends CallOptions {
  /**
   * Throw ERR_PARTIAL_FAILURE (carrying `failures` and the partial result) when any key failed,
   * instead of returning the failures beside the results. Default false.
   */
  readonly throwOnPartialFailure?: boolean;
}

/** Options for writes. */
export interface WriteOptions extends CallOptions {
  /** Seconds, or `'never'`. Default: the client's `defaultTtl`. */
  readonly ttl?: TtlInput;
}

/** One entry for `setMany`. */
export interface SetEntry<T = unknown> {
  readonly key: string;
  readonly value: T;
  readonly ttl?: TtlInput;
}

/** A `client.stats` snapshot. */
export interface ClientStats {
  readonly nodes: Readonly<Record<string, NodeStatsSnapshot & { readonly ejected: boolean }>>;
  readonly total: { readonly calls: number; readonly hits: number; readonly misses: number; readonly errors: number; readonly timeouts: number; readonly inFlight: number };
  /** The planned-membership epoch applied, and where membership comes from. */
  readonly membership: { readonly epoch: number; readonly source: string };
  /** Keys each node missed while it (or their owner) was out, waiting to be purged (Infinity: overflowed). */
  readonly rejoinTracked: Readonly<Record<string, number>>;
  /** Warm-up after the last planned change: still on, and reads served from previous owners. */
  readonly warmup: { readonly active: boolean; readonly hits: number };
}

/**
 * One cache over a fleet of Memcached or Redis nodes.
 *
 * A call flows one way: key rules (prefix, validation, hash tag) -> ring -> the node's health
 * gate -> the node -> the server; failures flow back into health, which may eject the node,
 * and the client then swaps in a new ring.
 *
 * @example
 * const cache = new ShardedClient({ backend: 'redis', nodes: ['10.0.0.1:6379', '10.0.0.2:6379'] });
 * await cache.set('user:1', { name: 'Ada' }, { ttl: 300 });
 * await cache.get('user:1'); // { name: 'Ada' }
 * await cache.close();
 */
const NO_OPTIONS: CallOptions = Object.freeze({});
// Module-level senders: a write allocates no closure to say what to send.
const sendSet = (node: CacheNode, wire: string, item: EncodedValue, ttl: Ttl): Promise<void> => node.set(wire, item.value, item.flags, ttl);
const sendAdd = (node: CacheNode, wire: string, item: EncodedValue, ttl: Ttl): Promise<boolean> => node.add(wire, item.value, item.flags, ttl);
const sendReplace = (node: CacheNode, wire: string, item: EncodedValue, ttl: Ttl): Promise<boolean> => node.replace(wire, item.value, item.flags, ttl);

export class ShardedClient extends EventEmitter<ClientEvents> {
  readonly #options: ResolvedOptions;
  readonly #rules: KeyRules;
  readonly #codec: ValueCodec;
  readonly #topology: Topology;
  readonly #membership: MembershipSource | undefined;
  #epoch = 0;
  #unwatch: (() => void) | undefined;
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
    client.#epoch = view.epoch;
    return client;
  }

  constructor(options: ShardedClientOptions) {
    super();
    const resolved = resolveOptions(options);
    this.#options = resolved;
    this.#rules = new KeyRules(resolved.keys);
    this.#codec = new ValueCodec({
      ...(options.serializer === undefined ? {} : { serializer: options.serializer }),
      ...(options.compressAbove === undefined ? {} : { compressAbove: options.compressAbove }),
    });
    // Failures flow back through the topology: health ejects and restores, the ring swaps.
    this.#topology = new Topology(resolved, options.nodeFactory ?? defaultNodeFactory, resolveRejoin(options.rejoin), {
      ejected: (node, reason) => this.emit('node:ejected', { node, reason }),
      restored: (node) => this.emit('node:restored', { node }),
      changed: (change) => this.#announce(change),
      error: (node, error) => this.#report(node, error),
    });
    this.#membership = options.membership;
    this.#unwatch = this.#membership?.watch(
      (view) => void this.#follow(view),
      (error) => this.#report(undefined, error),
    );
  }

  #report(node: string | undefined, error: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', { node, error: asShardcacheError(error) });
  }

  /** Applies a newer membership view; views arrive in any order, only a newer epoch counts. */
  async #follow(view: MembershipView): Promise<void> {
    if (view.epoch <= this.#epoch || this.#closed) return;
    this.#epoch = view.epoch;
    try {
      await this.setNodes(view.nodes);
    } catch (error) {
      this.#report(undefined, error);
    }
  }

  /** The membership epoch this client has applied (0 without a membership source). */
  get epoch(): number {
    return this.#epoch;
  }

  /** The planned ring (membership), before ejections. */
  get ring(): ResolvedOptions['ring'] {
    return this.#topology.router.ring;
  }

  /** Node ids currently out of placement. */
  get ejected(): readonly string[] {
    return [...this.#topology.router.ejected];
  }

  /** Where `key` goes now: the node id, or undefined when no node serves it. */
  locate(key: string): string | undefined {
    return this.#topology.router.route(this.#rules.route(key).placement);
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
   * returned checkpoint, rate-limited, cancellable with a signal; reports progress.
   *
   * @example
   * const change = { add: ['10.0.0.9:6379'] };
   * const result = await cache.migrate(change, { rateLimit: 50_000, onProgress: (p) => console.log(p.moved) });
   * if (result.completed) await cache.applyChange(change);
   */
  migrate(change: MembershipChange, options?: MigrationOptions): Promise<MigrationResult> {
    if (this.#closed) return Promise.reject(new ClosedError('ShardedClient'));
    return migrate({ topology: this.#topology, rules: this.#rules, clock: this.#options.clock, timeoutMs: this.#options.timeoutMs }, change, options);
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

  get<T = unknown>(key: string, options: CallOptions = NO_OPTIONS): Promise<T | undefined> {
    // Not async: the success path is one promise from the node and one from the slot.
    let routed: RoutedKey;
    let slot: NodeSlot | undefined;
    try {
      routed = this.#route(key);
      slot = this.#slotFor(routed, 'read');
    } catch (error) {
      return Promise.reject(error);
    }
    if (slot === undefined) return Promise.resolve(undefined);
    const owner = slot;
    if (this.#traced()) {
      return this.#run(owner, 'get', routed.wire, options, (node) => node.get(routed.wire)).then((item) =>
        item === undefined && this.#topology.warming ? this.#warmRead<T>(owner, routed, options) : this.#decodeCounted<T>(owner, routed.wire, item),
      );
    }
    // The hot path: no closure around the request, one promise for the caller.
    const refusal = owner.refuse(options.signal);
    if (refusal !== undefined) return Promise.reject(refusal);
    return owner.track('get', options.timeoutMs ?? this.#options.timeoutMs, options.signal, owner.node.get(routed.wire), (item) =>
      item === undefined && this.#topology.warming ? this.#warmRead<T>(owner, routed, options) : this.#decodeCounted<T>(owner, routed.wire, item),
    ) as Promise<T | undefined>;
  }

  set(key: string, value: unknown, options: WriteOptions = NO_OPTIONS): Promise<void> {
    return this.#store('set', key, value, options, sendSet);
  }

  /** Stores only if absent; false when the key exists. */
  add(key: string, value: unknown, options: WriteOptions = NO_OPTIONS): Promise<boolean> {
    return this.#store('add', key, value, options, sendAdd);
  }

  /** Stores only if present; false when the key is absent. */
  replace(key: string, value: unknown, options: WriteOptions = NO_OPTIONS): Promise<boolean> {
    return this.#store('replace', key, value, options, sendReplace);
  }

  /** The value and its version token, for `cas`. */
  async gets<T = unknown>(key: string, options: CallOptions = {}): Promise<{ value: T; cas: string } | undefined> {
    const routed = this.#route(key);
    const slot = this.#slotFor(routed, 'read');
    if (slot === undefined) return undefined;
    const item = await this.#run(slot, 'gets', routed.wire, options, (node) => node.gets(routed.wire, options));
    if (item === undefined) return undefined;
    return { value: (await this.#decodeCounted<T>(slot, routed.wire, item)) as T, cas: item.cas };
  }

  /** Stores only if the value is unchanged since `gets` returned `cas`. */
  cas(key: string, value: unknown, cas: string, options: WriteOptions = NO_OPTIONS): Promise<CasResult> {
    return this.#store('cas', key, value, options, (node, wire, item, ttl) => node.cas(wire, item.value, item.flags, ttl, cas));
  }

  /** False when there was nothing to delete. */
  async delete(key: string, options: CallOptions = {}): Promise<boolean> {
    const routed = this.#route(key);
    const slot = this.#writableSlot(routed);
    this.#failover(routed, slot, null);
    return this.#run(slot, 'delete', routed.wire, options, (node) => node.delete(routed.wire, options));
  }

  /** Adds `delta` to an existing counter; undefined (nothing created) when the key is absent. */
  async incr(key: string, delta = 1, options: CallOptions = {}): Promise<number | undefined> {
    return this.#counter('incr', key, delta, options);
  }

  /** Subtracts `delta`, stopping at 0 (memcached's rule, kept on redis too). */
  async decr(key: string, delta = 1, options: CallOptions = {}): Promise<number | undefined> {
    return this.#counter('decr', key, delta, options);
  }

  /** Sets a new TTL; false when the key is absent. */
  async touch(key: string, ttl: TtlInput, options: CallOptions = {}): Promise<boolean> {
    const routed = this.#route(key);
    const normalized = normalizeTtl(ttl);
    const slot = this.#writableSlot(routed);
    const capped = this.#failover(routed, slot, normalized);
    return this.#run(slot, 'touch', routed.wire, options, (node) => node.touch(routed.wire, capped, options));
  }

  /**
   * Reads many keys: one multi-get per node, all nodes in parallel. `values` follows the order
   * of `keys`; keys whose node failed are listed in `failures` (their value is undefined).
   */
  async getMany<T = unknown>(keys: readonly string[], options: ManyOptions = NO_OPTIONS): Promise<ManyResult<T>> {
    const routed = keys.map((key) => this.#route(key));
    const values: (T | undefined)[] = new Array<T | undefined>(keys.length).fill(undefined);
    const groups = groupByNode(routed, (entry) => this.#topology.router.route(entry.placement));
    // Under the `fail` policy, keys of an ejected node are misses, as in get().
    if (this.#topology.router.policy === 'fail') groups.delete(undefined);
    const compressed: Promise<void>[] = [];
    const failures = await this.#perNode(
      groups,
      'getMany',
      options,
      (slot, indexes) => slot.node.getMany(indexes.map((index) => routed[index]?.wire ?? '')),
      (slot, indexes, items) => {
        indexes.forEach((index, position) => {
          const value = this.#decodeCounted<T>(slot, routed[index]?.wire ?? '', items[position]);
          if (value instanceof Promise) compressed.push(value.then((decoded) => void (values[index] = decoded)));
          else values[index] = value;
        });
      },
      keys,
    );
    await Promise.all(compressed);
    return settleMany({ values, failures }, keys.length, options);
  }

  /** Writes many keys: one pipeline (or batch) per node, in parallel. Not atomic across nodes. */
  async setMany(entries: readonly SetEntry[], options: ManyOptions = NO_OPTIONS): Promise<Pick<ManyResult<never>, 'failures'>> {
    const keys = entries.map((entry) => entry.key);
    const routed = keys.map((key) => this.#route(key));
    const writes: WriteEntry[] = await Promise.all(
      entries.map(async (entry, index) => {
        const wire = routed[index]?.wire ?? '';
        const item = await this.#codec.encode(entry.value);
        this.#checkSize(wire, item);
        return { key: wire, value: item.value, flags: item.flags, ttl: this.#ttl(entry.ttl) };
      }),
    );
    const groups = groupByNode(routed, (entry) => this.#topology.router.route(entry.placement));
    const failures = await this.#perNode(
      groups,
      'setMany',
      options,
      (slot, indexes) =>
        slot.node.setMany(
          indexes.map((index) => {
            const write = writes[index] as WriteEntry;
            const at = routed[index];
            return at === undefined ? write : { ...write, ttl: this.#failover(at, slot, write.ttl) };
          }),
          options,
        ),
      () => undefined,
      keys,
    );
    return settleMany({ failures }, keys.length, options);
  }

  /** Deletes many keys; `deleted` counts those that existed. */
  async deleteMany(keys: readonly string[], options: ManyOptions = NO_OPTIONS): Promise<{ deleted: number } & Pick<ManyResult<never>, 'failures'>> {
    const routed = keys.map((key) => this.#route(key));
    let deleted = 0;
    const groups = groupByNode(routed, (entry) => this.#topology.router.route(entry.placement));
    const failures = await this.#perNode(groups, 'deleteMany', options, (slot, indexes) => slot.node.deleteMany(indexes.map((index) => {
      const at = routed[index];
      if (at !== undefined) this.#failover(at, slot, null);
      return at?.wire ?? '';
    }), options), (_slot, _indexes, count) => {
      deleted += count;
    }, keys);
    return settleMany({ deleted, failures }, keys.length, options);
  }

  /** Removes every item on every node (not only this client's prefix). */
  async flush(options: CallOptions = {}): Promise<void> {
    this.#assertOpen();
    await Promise.all([...this.#topology.slots].map((slot) => this.#run(slot, 'flush', undefined, options, (node) => node.flush(options))));
  }

  /** Pings every node; resolves with the ids that answered and the errors of those that did not. */
  async ping(options: CallOptions = {}): Promise<{ up: string[]; down: Record<string, ShardcacheError> }> {
    this.#assertOpen();
    const up: string[] = [];
    const down: Record<string, ShardcacheError> = {};
    await Promise.all(
      [...this.#topology.slots].map(async (slot) => {
        try {
          await this.#run(slot, 'ping', undefined, options, (node) => node.ping(options));
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
    const nodes: Record<string, NodeStatsSnapshot & { ejected: boolean }> = {};
    const total = { calls: 0, hits: 0, misses: 0, errors: 0, timeouts: 0, inFlight: 0 };
    const health = new Map(this.#topology.health.stats.nodes.map((node) => [node.node, node]));
    for (const slot of this.#topology.slots) {
      const snapshot = slot.stats.snapshot(health.get(slot.id) ?? { p50Ms: undefined, p99Ms: undefined });
      nodes[slot.id] = { ...snapshot, ejected: this.#topology.router.ejected.has(slot.id) };
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
      membership: { epoch: this.#epoch, source: this.#membership?.description ?? 'static' },
      rejoinTracked: this.#topology.guard.sizes,
      warmup: { active: this.#topology.warming, hits: this.#topology.warmupHits },
    };
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
    await this.#topology.close();
  }

  /** Closes every node now; calls in flight fail. */
  async destroy(): Promise<void> {
    this.#closed = true;
    this.#unwatch?.();
    await this.#topology.destroy();
  }

  #announce(change: RingChange): void {
    this.emit('ring:changed', change);
    if (ringChannel.hasSubscribers) ringChannel.publish(change);
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError('ShardedClient');
  }

  #route(key: string): RoutedKey {
    this.#assertOpen();
    return this.#rules.route(key);
  }

  /**
   * The slot for a read. Undefined means a miss: the owner is ejected under the `fail` policy.
   * With no node left at all, reads fail like writes.
   */
  #slotFor(routed: RoutedKey, _intent: 'read'): NodeSlot | undefined {
    const id = this.#topology.router.route(routed.placement);
    if (id === undefined && this.#topology.router.policy !== 'fail') return this.#writableSlot(routed);
    return id === undefined ? undefined : this.#topology.slot(id);
  }

  #writableSlot(routed: RoutedKey): NodeSlot {
    const id = this.#topology.router.route(routed.placement);
    const slot = id === undefined ? undefined : this.#topology.slot(id);
    if (slot === undefined) {
      const reason = this.#topology.router.policy === 'fail' ? 'ejected, and the failover policy is "fail"' : 'every node is ejected';
      throw new NodeUnavailableError(this.#topology.router.owner(routed.placement), reason);
    }
    return slot;
  }

  #ttl(ttl: TtlInput | undefined): number | null {
    return ttl === undefined ? this.#options.defaultTtl : normalizeTtl(ttl);
  }

  /** Checks the encoded size against the limit and returns it (strings are counted only when they might exceed it). */
  #checkSize(wire: string, item: EncodedValue): number {
    const { value } = item;
    const limit = this.#options.maxValueBytes;
    const size = typeof value !== 'string' ? value.length : value.length * 3 <= limit ? value.length : Buffer.byteLength(value);
    if (size > limit) throw new ValueTooLargeError(wire, size, limit);
    return size;
  }

  /**
   * Every single-key write: validate and encode before anything is sent, then one call on the
   * key's node. Not async, so an uncompressed write costs no extra microtask.
   */
  #store<T>(command: string, key: string, value: unknown, options: WriteOptions, send: (node: CacheNode, wire: string, item: EncodedValue, ttl: Ttl) => Promise<T>): Promise<T> {
    let routed: RoutedKey;
    let ttl: Ttl;
    let encoded: EncodedValue | Promise<EncodedValue>;
    let slot: NodeSlot;
    try {
      routed = this.#route(key);
      ttl = this.#ttl(options.ttl);
      encoded = this.#codec.encode(value);
      slot = this.#writableSlot(routed);
      if (!(encoded instanceof Promise)) return this.#send(slot, command, routed, encoded, ttl, options, send);
    } catch (error) {
      return Promise.reject(error);
    }
    return encoded.then((item) => this.#send(slot, command, routed, item, ttl, options, send));
  }

  /** Sends one encoded write. A server whose own limit is lower fails with ERR_VALUE_TOO_LARGE from the node. */
  #send<T>(slot: NodeSlot, command: string, routed: RoutedKey, item: EncodedValue, requestedTtl: Ttl, options: WriteOptions, send: (node: CacheNode, wire: string, item: EncodedValue, ttl: Ttl) => Promise<T>): Promise<T> {
    const { wire } = routed;
    slot.stats.bytesOut += this.#checkSize(wire, item);
    const ttl = this.#failover(routed, slot, requestedTtl);
    if (this.#traced()) return this.#run(slot, command, wire, options, (node) => send(node, wire, item, ttl));
    const refusal = slot.refuse(options.signal);
    if (refusal !== undefined) return Promise.reject(refusal);
    return slot.track(command, options.timeoutMs ?? this.#options.timeoutMs, options.signal, send(slot.node, wire, item, ttl));
  }

  /**
   * Warm-up: a miss on a key's new owner right after a planned change reads the previous owner;
   * a value found there is returned and copied to the new owner with its remaining TTL (`add`,
   * so a newer concurrent write wins). Failures there are only a miss.
   */
  async #warmRead<T>(owner: NodeSlot, routed: RoutedKey, options: CallOptions): Promise<T | undefined> {
    const previous = this.#topology.previousOwner(routed.placement, owner.id);
    if (previous === undefined) return this.#decodeCounted<T>(owner, routed.wire, undefined);
    const { wire } = routed;
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs;
    const found = await previous
      .run('get', timeoutMs, options.signal, () =>
        previous.node.getWithTtl === undefined
          ? previous.node.get(wire).then((item) => (item === undefined ? undefined : { item, ttl: this.#options.defaultTtl }))
          : previous.node.getWithTtl(wire),
      )
      .catch(() => undefined);
    if (found === undefined) return this.#decodeCounted<T>(owner, wire, undefined);
    this.#topology.warmupHits++;
    void owner.run('add', timeoutMs, undefined, () => owner.node.add(wire, found.item.value, found.item.flags, found.ttl)).catch(() => undefined);
    return this.#decodeCounted<T>(owner, wire, found.item);
  }

  /** Warm-up: a write to a key's new owner deletes its old copy, which could otherwise be read again later. */
  #dropPreviousCopy(routed: RoutedKey, slot: NodeSlot): void {
    const previous = this.#topology.previousOwner(routed.placement, slot.id);
    if (previous !== undefined) void previous.run('delete', this.#options.timeoutMs, undefined, () => previous.node.delete(routed.wire)).catch(() => undefined);
  }

  /**
   * While nodes are out, a write or delete that lands away from its key's planned owner is
   * remembered, so the owner is purged of it before it serves the key again (rejoin safety),
   * and the copy written on the failover node gets at most `rejoin.failoverTtl`.
   */
  #failover(routed: RoutedKey, slot: NodeSlot, ttl: Ttl): Ttl {
    if (this.#topology.warming) this.#dropPreviousCopy(routed, slot);
    const { router, rejoin, guard } = this.#topology;
    if (router.ejected.size === 0) return ttl;
    const planned = router.owner(routed.placement);
    if (planned === slot.id) return ttl;
    if (rejoin.enabled) guard.record(planned, routed.wire, routed.placement, slot.id);
    const cap = rejoin.failoverTtl;
    return cap === null || (ttl !== null && ttl <= cap) ? ttl : cap;
  }



  #decodeCounted<T>(slot: NodeSlot, wire: string, item: StoredItem | undefined): T | undefined | Promise<T> {
    if (item === undefined) {
      slot.stats.misses++;
      return undefined;
    }
    slot.stats.hits++;
    slot.stats.bytesIn += item.value.length;
    return this.#codec.decode(wire, item) as T | Promise<T>;
  }

  async #counter(command: 'incr' | 'decr', key: string, delta: number, options: CallOptions): Promise<number | undefined> {
    const routed = this.#route(key);
    if (!Number.isSafeInteger(delta) || delta < 0) throw new ShardcacheError('ERR_INVALID_ARGUMENT', `${command} delta must be a non-negative safe integer, got ${delta}`);
    const slot = this.#writableSlot(routed);
    this.#failover(routed, slot, null);
    return this.#run(slot, command, routed.wire, options, (node) => (command === 'incr' ? node.incr(routed.wire, delta, options) : node.decr(routed.wire, delta, options)));
  }

  /** Someone listens for errors or traces: take the path that reports them. */
  #traced(): boolean {
    return commandChannel.hasSubscribers || this.listenerCount('error') > 0;
  }

  #run<T>(slot: NodeSlot, command: string, wire: string | undefined, options: CallOptions, operation: (node: CacheNode) => Promise<T>): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs;
    const result = commandChannel.hasSubscribers
      ? commandChannel.tracePromise(() => slot.run(command, timeoutMs, options.signal, () => operation(slot.node)), {
          command,
          node: slot.id,
          // Keys only when the application opted in; values never.
          ...(this.#options.traceKeys && wire !== undefined ? { key: wire } : {}),
        })
      : slot.run(command, timeoutMs, options.signal, () => operation(slot.node));
    return this.listenerCount('error') === 0 ? result : result.catch((error: unknown) => {
      this.emit('error', { node: slot.id, error: asShardcacheError(error) });
      throw error;
    });
  }

  /** Runs one call per node group in parallel; collects failures per key instead of throwing. */
  async #perNode<R>(
    groups: Map<string | undefined, number[]>,
    command: string,
    options: CallOptions,
    send: (slot: NodeSlot, indexes: number[]) => Promise<R>,
    receive: (slot: NodeSlot, indexes: number[], result: R) => Promise<void> | void,
    keys: readonly string[],
  ): Promise<{ key: string; error: ShardcacheError }[]> {
    const failures: { key: string; error: ShardcacheError }[] = [];
    await Promise.all(
      [...groups].map(async ([id, indexes]) => {
        const slot = id === undefined ? undefined : this.#topology.slot(id);
        try {
          if (slot === undefined) throw new NodeUnavailableError(undefined, `the keys' node is ejected and the failover policy is "${this.#topology.router.policy}"`);
          await receive(slot, indexes, await this.#run(slot, command, undefined, options, () => send(slot, indexes)));
        } catch (error) {
          const typed = asShardcacheError(error);
          for (const index of indexes) failures.push({ key: keys[index] ?? '', error: typed });
        }
      }),
    );
    return failures;
  }
}

function defaultNodeFactory(...[address, { backend, options }]: Parameters<NodeFactory>): CacheNode {
  const { connection } = options;
  const credentials = {
    ...(connection.username === undefined ? {} : { username: connection.username }),
    ...(connection.password === undefined ? {} : { password: connection.password }),
    ...(connection.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: connection.connectTimeoutMs }),
  };
  if (backend === 'redis') {
    return createRedisNode({
      id: address.id,
      host: address.host,
      port: address.port,
      ...credentials,
      ...(connection.tls === undefined ? {} : { tls: connection.tls }),
      ...(connection.autoPipelining === undefined ? {} : { autoPipelining: connection.autoPipelining }),
    });
  }
  return createMemjsNode({ id: address.id, host: address.host, port: address.port, ...credentials });
}

/** Returns a multi-key result, or throws it inside ERR_PARTIAL_FAILURE when asked to. */
function settleMany<R extends { readonly failures: readonly KeyFailure[] }>(result: R, total: number, options: ManyOptions): R {
  if (options.throwOnPartialFailure === true && result.failures.length > 0) throw new PartialFailureError(result.failures, total, result);
  return result;
}

/** Errors from other layers (health's ERR_BREAKER_OPEN, a caller's abort) keep their code. */
function asShardcacheError(error: unknown): ShardcacheError {
  if (error instanceof ShardcacheError) return error;
  const code = typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'ERR_UNKNOWN';
  return new ShardcacheError(code, error instanceof Error ? error.message : String(error), { cause: error });
}
