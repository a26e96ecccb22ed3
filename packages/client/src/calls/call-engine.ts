import type { ResolvedOptions } from '../client-options.js';
import type { ShardcacheError} from '../errors.js';
import { ClosedError, NodeUnavailableError, TimeoutError, ValueTooLargeError } from '../errors.js';
import { asShardcacheError } from '../internal/as-shardcache-error.js';
import { commandChannel } from '../internal/tracing.js';
import { withinDeadline } from '../internal/within-deadline.js';
import type { KeyRules, RoutedKey } from '../keyspace/key-rules.js';
import type { CacheNode, EncodedValue, StoredItem, Ttl } from '../nodes/cache-node.js';
import type { NodeSlot } from '../routing/node-slot.js';
import type { Topology } from '../routing/topology.js';
import { maxTtlSeconds, normalizeTtl, type TtlInput } from '../values/ttl.js';
import type { ValueCodec } from '../values/value-codec.js';
import { readsBuffer, type CallOptions, type ReadOptions, type WriteOptions } from './call-options.js';

/** What a node write sends, given the node, the wire key, the encoded value and the TTL. */
export type Sender<T> = (node: CacheNode, wire: string, item: EncodedValue, ttl: Ttl) => Promise<T>;

/** How the engine reports to its client: errors to `error` listeners, and whether anyone listens. */
export interface CallReporter {
  readonly closed: () => boolean;
  readonly listening: () => boolean;
  readonly report: (node: string, error: ShardcacheError) => void;
}

/**
 * The request path of one key, in the order the data flows: key rules, route, health gate and
 * deadline (the node slot), node, and back (decode, stats, warm-up reads, failover tracking).
 * The hot paths (`get`, writes) add no closure around the request and one promise per call.
 */
export class CallEngine {
  readonly options: ResolvedOptions;
  readonly rules: KeyRules;
  readonly codec: ValueCodec;
  readonly topology: Topology;
  readonly #reporter: CallReporter;
  /**
   * Deletes `failover()` just sent to new owners while a migrated change is being applied; the
   * write that caused them takes them (`#joinPurges`) and resolves only after them.
   */
  #purges: Promise<void>[] | undefined;

  constructor(options: ResolvedOptions, rules: KeyRules, codec: ValueCodec, topology: Topology, reporter: CallReporter) {
    this.options = options;
    this.rules = rules;
    this.codec = codec;
    this.topology = topology;
    this.#reporter = reporter;
  }

  assertOpen(): void {
    if (this.#reporter.closed()) throw new ClosedError('ShardedClient');
  }

  route(key: string): RoutedKey {
    this.assertOpen();
    return this.rules.route(key);
  }

  /**
   * The slot for a read. Undefined means a miss: the owner is ejected under the `fail` policy.
   * With no node left at all, reads fail like writes.
   */
  readSlot(routed: RoutedKey): NodeSlot | undefined {
    const { router } = this.topology;
    const id = router.route(routed.placement);
    if (id === undefined && router.policy !== 'fail') return this.writeSlot(routed);
    return id === undefined ? undefined : this.topology.slot(id);
  }

  writeSlot(routed: RoutedKey): NodeSlot {
    const { router } = this.topology;
    const id = router.route(routed.placement);
    const slot = id === undefined ? undefined : this.topology.slot(id);
    if (slot === undefined) {
      const reason = router.policy === 'fail' ? 'ejected, and the failover policy is "fail"' : 'every node is ejected';
      throw new NodeUnavailableError(router.owner(routed.placement), reason);
    }
    return slot;
  }

  /** The backend's largest TTL now (see `maxTtlSeconds`). */
  readonly maxTtl = (): number => maxTtlSeconds(this.options.backend, this.options.clock.now());

  ttl(ttl: TtlInput | undefined): Ttl {
    return ttl === undefined ? this.options.defaultTtl : normalizeTtl(ttl, this.maxTtl);
  }

  get<T>(key: string, options: ReadOptions): Promise<T | undefined> {
    let routed: RoutedKey;
    let slot: NodeSlot | undefined;
    let asBuffer: boolean;
    try {
      routed = this.route(key);
      asBuffer = readsBuffer(options);
      slot = this.readSlot(routed);
    } catch (error) {
      return Promise.reject(error);
    }
    if (slot === undefined) return Promise.resolve(undefined);
    if (this.orphaned(slot, routed.wire)) {
      slot.stats.misses++;
      return Promise.resolve(undefined);
    }
    const owner = slot;
    // During warm-up a miss reads the previous owner within what is left of this call's deadline.
    const startedAt = this.topology.warmUp.active ? this.options.clock.now() : 0;
    const received = (item: StoredItem | undefined): T | undefined | Promise<T | undefined> =>
      item === undefined && this.topology.warmUp.active ? this.#warmRead<T>(owner, routed, options, asBuffer, startedAt) : this.decode<T>(owner, routed.wire, item, asBuffer);
    if (this.traced()) return this.run(owner, 'get', routed.wire, options, (node) => node.get(routed.wire)).then(received);
    const refusal = owner.refuse(options.signal);
    if (refusal !== undefined) return Promise.reject(refusal);
    return owner.track('get', options.timeoutMs ?? this.options.timeoutMs, options.signal, () => owner.node.get(routed.wire), received) as Promise<T | undefined>;
  }

  /**
   * Every single-key write: validate and encode before anything is sent, then one call on the
   * key's node. Not async, so an uncompressed write costs no extra microtask.
   */
  store<T>(command: string, key: string, value: unknown, options: WriteOptions, send: Sender<T>): Promise<T> {
    // The deadline counts from here: encoding a large value spends it too (the node slot's
    // deadline queue takes this reading instead of its own, so this costs no clock read).
    const startedAt = this.options.clock.now();
    let routed: RoutedKey;
    let ttl: Ttl;
    let encoded: EncodedValue | Promise<EncodedValue>;
    let slot: NodeSlot;
    try {
      routed = this.route(key);
      ttl = this.ttl(options.ttl);
      encoded = this.codec.encode(key, value);
      slot = this.writeSlot(routed);
      if (!(encoded instanceof Promise)) return this.#send(slot, command, routed, encoded, ttl, options, send, startedAt);
    } catch (error) {
      return Promise.reject(error);
    }
    // Compressing: the node call gets what is left of the deadline.
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    return withinDeadline(encoded, this.options.clock, timeoutMs, () => new TimeoutError(slot.id, command, timeoutMs), startedAt).then(({ result, leftMs }) =>
      this.#send(slot, command, routed, result, ttl, { ...options, timeoutMs: leftMs }, send),
    );
  }

  /** Sends one encoded write. A server whose own limit is lower fails with ERR_VALUE_TOO_LARGE from the node. */
  #send<T>(slot: NodeSlot, command: string, routed: RoutedKey, item: EncodedValue, requestedTtl: Ttl, options: WriteOptions, send: Sender<T>, startedAt?: number): Promise<T> {
    const { wire } = routed;
    slot.stats.bytesOut += this.checkSize(wire, item, slot);
    const ttl = this.failover(routed, slot, requestedTtl);
    let result: Promise<T>;
    if (this.traced()) {
      result = this.run(slot, command, wire, options, (node) => send(node, wire, item, ttl), startedAt);
    } else {
      const refusal = slot.refuse(options.signal);
      result = refusal !== undefined ? Promise.reject(refusal) : slot.track(command, options.timeoutMs ?? this.options.timeoutMs, options.signal, () => send(slot.node, wire, item, ttl), undefined, startedAt);
      if (this.#purges !== undefined) result = this.#joinPurges(result);
    }
    this.#replaces(slot, wire, result);
    return result;
  }

  /** Whether a read of `wire` on `slot` is a miss: a stale failover copy (see Rejoin.orphaned). */
  orphaned(slot: NodeSlot, wire: string): boolean {
    return this.topology.rejoin.orphaned(slot, wire);
  }

  /** A write of `wire` to `slot` that succeeds replaces (or deletes) any stale copy there it was sent after. */
  #replaces(slot: NodeSlot, wire: string, result: Promise<unknown>): void {
    const { orphans } = this.topology.rejoin;
    if (orphans.size === 0 || !orphans.has(slot.id, wire)) return;
    const sentAt = orphans.mark();
    result.then(() => orphans.ended(slot.id, wire, sentAt), () => undefined);
  }

  /**
   * After a multi-key write or delete on `slot` succeeded: its keys hold no stale copy there
   * any more, of those known when it was sent (`sentAt`: `topology.rejoin.orphans.mark()`).
   */
  replaced(slot: NodeSlot, wires: readonly string[], sentAt: number): void {
    const { orphans } = this.topology.rejoin;
    if (orphans.size === 0) return;
    for (const wire of wires) orphans.ended(slot.id, wire, sentAt);
  }

  /**
   * Checks the encoded size against the limit and returns it (strings are counted only when they
   * might exceed it). The limit is `maxValueBytes`, or the node's server setting when lower.
   */
  checkSize(wire: string, item: EncodedValue, slot: NodeSlot): number {
    const { value } = item;
    const limit = slot.maxValueBytes;
    const size = typeof value !== 'string' ? value.length : value.length * 3 <= limit ? value.length : Buffer.byteLength(value);
    if (size > limit) throw new ValueTooLargeError(wire, size, limit, limit < this.options.maxValueBytes ? `the server setting of node ${slot.id}` : 'maxValueBytes');
    return size;
  }

  /**
   * A single-key call off the hot path (delete, counters, touch): route, write slot, failover
   * bookkeeping. A delete replaces a stale copy; a counter or touch must not act on one: there
   * the key is absent (`absent`), and the copy is deleted.
   */
  async modify<T>(command: string, key: string, options: CallOptions, ttl: Ttl, call: (node: CacheNode, wire: string, ttl: Ttl) => Promise<T>, absent?: T): Promise<T> {
    const routed = this.route(key);
    const slot = this.writeSlot(routed);
    const capped = this.failover(routed, slot, ttl);
    if (command !== 'delete' && this.orphaned(slot, routed.wire)) return absent as T;
    const result = this.run(slot, command, routed.wire, options, (node) => call(node, routed.wire, capped));
    if (command === 'delete') this.#replaces(slot, routed.wire, result);
    return result;
  }

  /**
   * Warm-up: a miss on a key's new owner right after a planned change reads the previous owner;
   * a value found there is returned and copied to the new owner with its remaining TTL (`add`,
   * so a newer concurrent write wins). Failures there are only a miss. The read gets what is left
   * of the call's deadline (found by the nemesis: a get with a 100 ms deadline settled after 174
   * ms, its warm read given a fresh 100 ms); none left is a miss.
   */
  async #warmRead<T>(owner: NodeSlot, routed: RoutedKey, options: CallOptions, asBuffer: boolean, startedAt: number): Promise<T | undefined> {
    const previous = this.topology.warmSource(routed.placement, owner.id, routed.wire);
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const leftMs = Math.floor(timeoutMs - (this.options.clock.now() - startedAt));
    if (previous === undefined || leftMs <= 0) return this.decode<T>(owner, routed.wire, undefined);
    const { wire } = routed;
    const found = await previous
      .run('get', leftMs, options.signal, () =>
        previous.node.getWithTtl === undefined
          ? previous.node.get(wire).then((item) => (item === undefined ? undefined : { item, ttl: this.options.defaultTtl }))
          : previous.node.getWithTtl(wire),
      )
      .catch(() => undefined);
    if (found === undefined) return this.decode<T>(owner, wire, undefined);
    this.topology.warmUp.hit();
    void owner.run('add', timeoutMs, undefined, () => owner.node.add(wire, found.item.value, found.item.flags, found.ttl)).catch(() => undefined);
    return this.decode<T>(owner, wire, found.item, asBuffer);
  }

  /**
   * Bookkeeping for a write or delete about to go to `slot`. While a migrated change is pending,
   * a key it moves is recorded, so its copy at the new owner is deleted before the ring swaps
   * (during the swap's purge the write deletes it itself, and waits). During warm-up, the key's
   * old copy on its previous owner is deleted (it could be read again later). While nodes are
   * out, a write that lands away from its key's planned owner is remembered for every node that
   * misses it (the owner, and ejected nodes ahead in its failover chain), so each is purged of
   * the key before it serves it again (rejoin safety), and its TTL is capped.
   */
  failover(routed: RoutedKey, slot: NodeSlot, ttl: Ttl): Ttl {
    const { topology } = this;
    const migrations = topology.migrations.current;
    if (migrations !== undefined) {
      const purge = migrations.written(routed.wire, routed.placement);
      if (purge !== undefined) (this.#purges ??= []).push(purge);
    }
    if (topology.warmUp.active) {
      topology.warmUp.written(routed.wire);
      const previous = topology.previousOwner(routed.placement, slot.id);
      if (previous !== undefined) void previous.run('delete', this.options.timeoutMs, undefined, () => previous.node.delete(routed.wire)).catch(() => undefined);
    }
    const { router, rejoin } = topology;
    if (router.ejected.size === 0) return ttl;
    const missed = router.missedBy(routed.placement, slot.id);
    if (missed.length === 0) return ttl;
    rejoin.wroteElsewhere(missed, routed.wire, routed.placement, slot.id);
    const cap = rejoin.settings.failoverTtl;
    return cap === null || (ttl !== null && ttl <= cap) ? ttl : cap;
  }

  /**
   * Reads a multi-get's value in place (synchronously unless compressed) and counts its bytes.
   * The hit is counted by the caller once the call succeeds: a reply after the deadline is read
   * too, but served to nobody.
   */
  read<T>(slot: NodeSlot, wire: string, flags: number, bytes: Buffer, start: number, end: number, asBuffer: boolean): T | Promise<T> {
    slot.stats.bytesIn += end - start;
    return this.codec.read(wire, flags, bytes, start, end, asBuffer) as T | Promise<T>;
  }

  /** Counts a hit or miss and decodes (synchronously unless compressed); `asBuffer`: a call's `as: 'buffer'`. */
  decode<T>(slot: NodeSlot, wire: string, item: StoredItem | undefined, asBuffer = false): T | undefined | Promise<T> {
    if (item === undefined) {
      slot.stats.misses++;
      return undefined;
    }
    slot.stats.hits++;
    slot.stats.bytesIn += item.value.length;
    return this.codec.decode(wire, item, asBuffer) as T | Promise<T>;
  }

  /** Someone listens for errors or traces: take the path that reports them. */
  traced(): boolean {
    return commandChannel.hasSubscribers || this.#reporter.listening();
  }

  /** A call with tracing and error events; the generic path every call can take. */
  run<T>(slot: NodeSlot, command: string, wire: string | undefined, options: CallOptions, operation: (node: CacheNode) => Promise<T>, startedAt?: number): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const result = commandChannel.hasSubscribers
      ? commandChannel.tracePromise(() => slot.run(command, timeoutMs, options.signal, () => operation(slot.node), startedAt), {
          command,
          node: slot.id,
          // Keys only when the application opted in; values never.
          ...(this.options.traceKeys && wire !== undefined ? { key: wire } : {}),
        })
      : slot.run(command, timeoutMs, options.signal, () => operation(slot.node), startedAt);
    const reported = this.#reporter.listening()
      ? result.catch((error: unknown) => {
          this.#reporter.report(slot.id, asShardcacheError(error));
          throw error;
        })
      : result;
    // Writes routed by the caller (`modify`) or inside `operation` (multi-key) may have purges to wait for.
    return this.#purges === undefined ? reported : this.#joinPurges(reported);
  }

  /** The write's result, once the purges its `failover()` started are done too (a failed purge fails the write). */
  #joinPurges<T>(result: Promise<T>): Promise<T> {
    const purges = this.#purges ?? [];
    this.#purges = undefined;
    return Promise.all([result, Promise.all(purges)]).then(([value]) => value);
  }
}
