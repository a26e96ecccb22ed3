/**
 * The contract every cache node implements: one server, one connection (or a few), raw bytes.
 * Everything above it (keys, values, TTL rules, routing, health) belongs to the client, so
 * a node stays small and a test or a user can supply their own through a factory.
 */

/** A value as a node stores it: bytes plus the 32-bit flags that describe their format. */
export interface StoredItem {
  /**
   * May be a view into the connection's read buffer (the meta node and ioredis return views):
   * copy it (`Buffer.from`) to keep it beyond the call. `ShardedClient` hands out copies.
   */
  readonly value: Buffer;
  /** 0 for raw bytes written by any client; other values are the client's value formats. */
  readonly flags: number;
}

/**
 * Reads the hit at `index` of a multi-get straight from the bytes it arrived in (`bytes` from
 * `start` to `end`, valid during the call only): no Buffer or item is made per value.
 */
export type ItemReader<T> = (index: number, flags: number, bytes: Buffer, start: number, end: number) => T;

/** A stored item with the version token `cas` needs. */
export interface VersionedItem extends StoredItem {
  readonly cas: string;
}

/**
 * Bytes to write: a Buffer, or a string written as UTF-8. Strings stay strings down to the
 * driver, which writes them without an intermediate Buffer.
 */
export type Payload = Buffer | string;

/** A value ready to write: its payload and flags. */
export interface EncodedValue {
  readonly value: Payload;
  readonly flags: number;
}

/** One write for `setMany`. */
export interface WriteEntry {
  readonly key: string;
  readonly value: Payload;
  readonly flags: number;
  readonly ttl: Ttl;
}

/**
 * Time to live in whole seconds, already validated by the client. `null` means no expiry.
 * Nodes translate it for their protocol (memcached reads values above 30 days as a Unix time).
 */
export type Ttl = number | null;

/** What `cas` did: stored, lost the race (`exists`), or found no item (`not_found`). */
export type CasResult = 'stored' | 'exists' | 'not_found';

/** Optional abilities a node declares, so later features can ask before they rely on them. */
export interface NodeCapabilities {
  /** Flags are stored natively; otherwise the node keeps them in-band (see value-header.ts). */
  readonly nativeFlags: boolean;
  /** `gets` and `cas` work. */
  readonly cas: boolean;
  /** Keys can be enumerated (redis SCAN, memcached `lru_crawler metadump`). */
  readonly scanKeys: boolean;
  /** Items can be copied with their TTL (redis DUMP/RESTORE). */
  readonly dumpRestore: boolean;
}

/** An item as a node can copy it to another node of the same backend, with its TTL. */
export interface DumpedItem {
  readonly payload: Buffer;
  /** Client flags to restore with (memcached); redis keeps them inside the payload. */
  readonly flags?: number;
  /** Remaining time to live in milliseconds (null: none), kept exactly across the copy. */
  readonly ttlMs: number | null;
}

/** Per-call options every node method takes. */
export interface CallOptions {
  /** Aborts the wait for this call only; the node may still receive the request. */
  readonly signal?: AbortSignal;
}

/**
 * One cache server.
 *
 * @example
 * const node: CacheNode = createRedisNode({ id: 'cache-1', host: '127.0.0.1', port: 6379 });
 * await node.set('greeting', Buffer.from('hello'), 0, 60);
 * (await node.get('greeting'))?.value.toString(); // 'hello'
 */
export interface CacheNode {
  /** The node's id in the ring (`host:port` or a name). */
  readonly id: string;
  readonly capabilities: NodeCapabilities;

  get(key: string, options?: CallOptions): Promise<StoredItem | undefined>;
  /** One page of the keys stored (capability `scanKeys`): pass the returned cursor back; '0' ends. */
  scan?(cursor: string, count: number): Promise<{ readonly cursor: string; readonly keys: readonly string[] }>;
  /** Items with their TTLs, aligned with `keys` (capability `dumpRestore`). */
  dump?(keys: readonly string[]): Promise<(DumpedItem | undefined)[]>;
  /** Stores a dumped item unless the key exists (a newer value wins): 'restored' or 'exists'. */
  restore?(key: string, item: DumpedItem): Promise<'restored' | 'exists'>;
  /** The item and its remaining TTL (null: none), where the protocol can tell; used by warm-up. */
  getWithTtl?(key: string, options?: CallOptions): Promise<{ readonly item: StoredItem; readonly ttl: Ttl } | undefined>;
  gets(key: string, options?: CallOptions): Promise<VersionedItem | undefined>;
  /** Items aligned with `keys` (undefined for a miss): one round trip where the protocol allows. */
  getMany(keys: readonly string[], options?: CallOptions): Promise<(StoredItem | undefined)[]>;
  /**
   * `getMany` with each hit handed to `read` as it arrives, for nodes whose replies can be read
   * in place (the meta node). A throw from `read` fails the call. Optional: the client falls
   * back to `getMany`.
   */
  readMany?<T>(keys: readonly string[], read: ItemReader<T>, options?: CallOptions): Promise<(T | undefined)[]>;

  set(key: string, value: Payload, flags: number, ttl: Ttl, options?: CallOptions): Promise<void>;
  /** Stores only if the key is absent; false when it exists. */
  add(key: string, value: Payload, flags: number, ttl: Ttl, options?: CallOptions): Promise<boolean>;
  /** Stores only if the key exists; false when it is absent. */
  replace(key: string, value: Payload, flags: number, ttl: Ttl, options?: CallOptions): Promise<boolean>;
  cas(key: string, value: Payload, flags: number, ttl: Ttl, cas: string, options?: CallOptions): Promise<CasResult>;
  setMany(entries: readonly WriteEntry[], options?: CallOptions): Promise<void>;

  /** False when there was nothing to delete. */
  delete(key: string, options?: CallOptions): Promise<boolean>;
  /** The number of keys that existed. */
  deleteMany(keys: readonly string[], options?: CallOptions): Promise<number>;

  /** The new value, or undefined when the key is absent (it is not created). */
  incr(key: string, delta: number, options?: CallOptions): Promise<number | undefined>;
  decr(key: string, delta: number, options?: CallOptions): Promise<number | undefined>;
  /** Sets a new TTL; false when the key is absent. */
  touch(key: string, ttl: Ttl, options?: CallOptions): Promise<boolean>;

  /** Removes every item on this node. */
  flush(options?: CallOptions): Promise<void>;
  /** Resolves when the server answers (memcached `version`, redis `PING`). */
  ping(options?: CallOptions): Promise<void>;
  /** The server's own counters, as it reports them. */
  stats(options?: CallOptions): Promise<Record<string, string>>;

  /**
   * The client calls it when a call (or a probe) outlives its deadline of `timeoutMs`. A
   * protocol that matches replies to requests by order (RESP, memcached's binary protocol)
   * must drop the connection and reconnect, failing what is in flight on it: a connection that
   * lost bytes would hand later callers older replies. A protocol with request tokens (the meta
   * node) only needs to hear from the server again: it drops the connection after another
   * `timeoutMs` of silence, so the other calls in flight keep their own deadlines.
   */
  lateCall?(timeoutMs: number): void;
  /**
   * The largest value the server accepts under any valid key, from the server's own settings
   * (memcached `item_size_max` less its per-item overhead, redis `proto-max-bulk-len`), or
   * undefined when it does not say. The client asks once, after the node first answers.
   */
  maxValueBytes?(options?: CallOptions): Promise<number | undefined>;
  /** Waits for in-flight calls, then closes. Idempotent. */
  close(): Promise<void>;
  /** Closes now; in-flight calls fail. Idempotent. */
  destroy(): Promise<void>;
}
