import type { ResolvedOptions } from '../client-options.js';
import { ClosedError, InvalidArgumentError, type ShardcacheError, TimeoutError, ValueTooLargeError } from '../errors.js';
import { asShardcacheError } from '../internal/as-shardcache-error.js';
import { commandChannel } from '../internal/tracing.js';
import { withinDeadline } from '../internal/within-deadline.js';
import type { KeyRules, RoutedKey } from '../keyspace/key-rules.js';
import type { CacheNode, EncodedValue, StoredItem, Ttl } from '../nodes/cache-node.js';
import type { NodeSlot } from '../routing/node-slot.js';
import { MISS } from '../routing/router.js';
import type { Topology } from '../routing/topology.js';
import { maxTtlSeconds, normalizeTtl, type TtlInput } from '../values/ttl.js';
import type { ValueCodec } from '../values/value-codec.js';
import { readsBuffer, type CallOptions, type ReadOptions, type WriteOptions } from './call-options.js';
import { CallRules } from './call-rules.js';
import { warmRead } from './warm-read.js';

/** What a node write sends, given the node, the wire key, the encoded value and the TTL. */
export type Sender<T> = (node: CacheNode, wire: string, item: EncodedValue, ttl: Ttl) => Promise<T>;

/** How the engine reports to its client: errors to `error` listeners, and whether anyone listens. */
export interface CallReporter {
  readonly closed: () => boolean;
  readonly listening: () => boolean;
  readonly report: (node: string, error: ShardcacheError) => void;
}

/**
 * The request path of one key, in the order the data flows: key rules, route (the router's
 * answer), the call rules at the chosen slot (what a write must also do, whether a read may be
 * served), then one call path (`call`): the health gate and deadline (the node slot), the node,
 * and back (decode, stats, warm-up reads). Tracing and error events wrap that same path when
 * someone listens. The hot paths (`get`, writes) add one closure and one promise per call.
 */
export class CallEngine {
  readonly options: ResolvedOptions;
  readonly rules: KeyRules;
  readonly codec: ValueCodec;
  readonly topology: Topology;
  readonly callRules: CallRules;
  readonly #reporter: CallReporter;

  constructor(options: ResolvedOptions, rules: KeyRules, codec: ValueCodec, topology: Topology, reporter: CallReporter) {
    this.options = options;
    this.rules = rules;
    this.codec = codec;
    this.topology = topology;
    this.callRules = new CallRules(topology, options.timeoutMs);
    this.#reporter = reporter;
  }

  assertOpen(): void {
    if (this.#reporter.closed()) throw new ClosedError('ShardedClient');
  }

  route(key: string): RoutedKey {
    this.assertOpen();
    return this.rules.route(key);
  }

  /** The slot for a read; undefined for a miss (see Router.read). Throws when no node serves it. */
  readSlot(routed: RoutedKey): NodeSlot | undefined {
    const route = this.topology.router.read(routed.placement);
    if (route === MISS) return undefined;
    if (typeof route !== 'string') throw route;
    return this.topology.slot(route);
  }

  writeSlot(routed: RoutedKey): NodeSlot {
    const route = this.topology.router.write(routed.placement);
    if (typeof route !== 'string') throw route;
    return this.topology.slot(route) as NodeSlot;
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
    const { callRules } = this;
    // A refused read retries the stale copy's delete (see CallRules.refusesRead).
    if (callRules.refusesRead(slot, routed.wire)) return Promise.resolve(this.decode<T>(slot, routed.wire, undefined) as undefined);
    const owner = slot;
    // During warm-up a miss reads the previous owner within what is left of this call's deadline.
    const startedAt = this.topology.warmUp.active ? this.options.clock.now() : 0;
    const received = (item: StoredItem | undefined): T | undefined | Promise<T | undefined> => {
      if (item === undefined && this.topology.warmUp.active) return warmRead<T>(this, owner, routed, options, asBuffer, startedAt);
      return this.decode<T>(owner, routed.wire, item === undefined || callRules.mayServe(owner, routed.wire) ? item : undefined, asBuffer);
    };
    return this.call(owner, 'get', routed.wire, options, () => owner.node.get(routed.wire), received) as Promise<T | undefined>;
  }

  /** The value and its version token, for `cas`; the same rules as `get`, without warm-up. */
  async gets<T>(key: string, options: ReadOptions): Promise<{ value: T; cas: string } | undefined> {
    const routed = this.route(key);
    const asBuffer = readsBuffer(options);
    const slot = this.readSlot(routed);
    if (slot === undefined) return undefined;
    const { wire } = routed;
    const item = !this.callRules.refusesRead(slot, wire) ? await this.run(slot, 'gets', wire, options, (node) => node.gets(wire, options)) : undefined;
    if (item === undefined || !this.callRules.mayServe(slot, wire)) return this.decode<T>(slot, wire, undefined) as undefined;
    return { value: (await this.decode<T>(slot, wire, item, asBuffer)) as T, cas: item.cas };
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
      if (!(encoded instanceof Promise)) return this.#write(slot, command, routed, encoded, ttl, options, send, startedAt);
    } catch (error) {
      return Promise.reject(error);
    }
    // Compressing: the node call gets what is left of the deadline.
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    return withinDeadline(encoded, this.options.clock, timeoutMs, () => new TimeoutError(slot.id, command, timeoutMs), startedAt).then(({ result, leftMs }) =>
      this.#write(slot, command, routed, result, ttl, { ...options, timeoutMs: leftMs }, send),
    );
  }

  /** Sends one encoded write with its effects (see CallRules.beforeWrite). A server whose own limit is lower fails with ERR_VALUE_TOO_LARGE from the node. */
  #write<T>(slot: NodeSlot, command: string, routed: RoutedKey, item: EncodedValue, requested: Ttl, options: WriteOptions, send: Sender<T>, startedAt?: number): Promise<T> {
    const { wire } = routed;
    slot.stats.bytesOut += this.checkSize(wire, item, slot);
    const effects = this.callRules.beforeWrite(routed, slot, requested);
    const ttl = effects === undefined ? requested : effects.ttl;
    const result = this.call(slot, command, wire, options, () => send(slot.node, wire, item, ttl), undefined, startedAt);
    return effects === undefined ? result : this.callRules.afterWrite(slot, result, effects);
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
   * A single-key call off the hot path (delete, counters, touch), with a write's effects. A
   * counter or touch must not act on a stale failover copy: there the key is absent (`absent`).
   */
  async modify<T>(command: string, key: string, options: CallOptions, ttl: Ttl, call: (node: CacheNode, wire: string, ttl: Ttl) => Promise<T>, absent?: T): Promise<T> {
    const routed = this.route(key);
    const slot = this.writeSlot(routed);
    const effects = this.callRules.beforeWrite(routed, slot, ttl);
    if (command !== 'delete' && this.callRules.refusesRead(slot, routed.wire)) return absent as T;
    const capped = effects === undefined ? ttl : effects.ttl;
    return this.callRules.afterWrite(slot, this.run(slot, command, routed.wire, options, (node) => call(node, routed.wire, capped)), effects);
  }

  /** `incr` or `decr` of an existing counter by `delta`; undefined when the key is absent. */
  async counter(command: 'incr' | 'decr', key: string, delta: number, options: CallOptions): Promise<number | undefined> {
    if (!Number.isSafeInteger(delta) || delta < 0) throw new InvalidArgumentError('delta', `${command} takes a non-negative safe integer, got ${delta}`);
    return this.modify(command, key, options, null, (node, wire) => (command === 'incr' ? node.incr(wire, delta, options) : node.decr(wire, delta, options)), undefined);
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

  /**
   * The one call path: the slot's gate (`refuse`), then `request()` under the call's deadline
   * (counted from `startedAt` when given), resolving with `map(value)` when given. When someone
   * listens, the same path runs inside a trace and its errors are reported.
   */
  call<T, R = T>(slot: NodeSlot, command: string, wire: string | undefined, options: CallOptions, request: () => Promise<T>, map?: (value: T) => R, startedAt?: number): Promise<R> {
    const reporting = this.#reporter.listening();
    if (!commandChannel.hasSubscribers && !reporting) return this.#call(slot, command, options, request, map, startedAt);
    const traced = commandChannel.hasSubscribers
      ? commandChannel.tracePromise(() => this.#call(slot, command, options, request, map, startedAt), {
          command,
          node: slot.id,
          // Keys only when the application opted in; values never.
          ...(this.options.traceKeys && wire !== undefined ? { key: wire } : {}),
        })
      : this.#call(slot, command, options, request, map, startedAt);
    if (!reporting) return traced;
    return traced.catch((error: unknown) => {
      this.#reporter.report(slot.id, asShardcacheError(error));
      throw error;
    });
  }

  /** `call` with the slot's node handed to `operation`: for calls off the hot path. */
  run<T>(slot: NodeSlot, command: string, wire: string | undefined, options: CallOptions, operation: (node: CacheNode) => Promise<T>): Promise<T> {
    return this.call(slot, command, wire, options, () => operation(slot.node));
  }

  #call<T, R>(slot: NodeSlot, command: string, options: CallOptions, request: () => Promise<T>, map: ((value: T) => R) | undefined, startedAt: number | undefined): Promise<R> {
    const refusal = slot.refuse(options.signal);
    if (refusal !== undefined) return Promise.reject(refusal);
    return slot.track(command, options.timeoutMs ?? this.options.timeoutMs, options.signal, request, map, startedAt) as Promise<R>;
  }
}
