import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { Clock } from '@shardcache/health';
import { ClosedError, InvalidArgumentError, InvalidOptionError } from '../errors.js';
import { abortable } from '../internal/abortable.js';
import { systemClock } from '../internal/clock.js';
import { MEMCACHED_MAX_KEY_BYTES } from '../keyspace/memcached-key.js';
import type { CacheNode, CallOptions, ItemReader, NodeCapabilities, Payload, StoredItem, Ttl } from './cache-node.js';
import { MemcachedConnection, type ConnectionSettings } from './memcached/connection.js';
import { scanKeys, type ScannedKey } from './memcached/key-scanner.js';
import { casReply, conditionalReply, counterReply, dumpReply, itemReply, storedReply, versionedReply } from './memcached/meta-replies.js';
import type { CommandBuffer } from './memcached/command-buffer.js';
import {
  FLUSH_ALL,
  META_NOOP,
  STATS,
  STATS_SETTINGS,
  writeMetaArithmetic,
  writeMetaDelete,
  writeMetaGet,
  writeMetaGetWithTtl,
  writeMetaProbe,
  writeMetaSetHeader,
  writeMetaTouch,
  writeTextGet,
  type StoreMode,
} from './memcached/meta-protocol.js';
import { MetaRequest, MultiGetRequest, TextRequest } from './memcached/pending-request.js';
import type { Reply } from './memcached/reply-parser.js';
import { memcachedExpiry } from './memjs-node.js';

export type { ScannedKey } from './memcached/key-scanner.js';

/** How to reach one memcached server (1.6 or later: the meta protocol). */
export interface MemcachedNodeOptions {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** TLS options for `tls.connect` (e.g. `{ ca }`), or true for the system's trust store. */
  readonly tls?: TlsOptions | boolean;
  /** Give up a connection attempt after this long. Default 1000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * memcached's text-protocol authentication (`memcached -Y`), sent first on every connection:
   * works over TLS, unlike SASL (binary protocol, memjs). Both or neither.
   */
  readonly username?: string;
  readonly password?: string;
  /**
   * Drop the connection when requests have waited this long without a byte from the server
   * (a dead peer or a black hole), so it never hangs. Per-call deadlines are the client's and
   * fail earlier, one call at a time. Default 2000 ms; 0 turns it off.
   */
  readonly replyTimeoutMs?: number;
  /** First wait before reconnecting after a failure, doubling up to `maxReconnectDelayMs`. Default 50 ms. */
  readonly reconnectDelayMs?: number;
  /** Default 2000 ms. */
  readonly maxReconnectDelayMs?: number;
  /** A reply announcing a larger value is treated as garbage. Default 128 MiB. */
  readonly maxValueBytes?: number;
  /** Current time in ms since the epoch, for TTLs above 30 days. Default: the clock's `now`. */
  readonly now?: () => number;
  /** Timers for connect and reply timeouts, the back-off's clock, and the default `now`. */
  readonly clock?: Clock;
}

/** A memcached node that can also enumerate its server's keys. */
export interface MemcachedNode extends CacheNode {
  /** Opens the connection now; resolves once the server answers. */
  connect(options?: CallOptions): Promise<void>;
  /** Every key on the server, through `lru_crawler metadump all` on a connection of its own. */
  scanKeys(options?: CallOptions): AsyncIterable<ScannedKey>;
}

const CAPABILITIES: NodeCapabilities = { nativeFlags: true, cas: true, scanKeys: true, dumpRestore: true };

/**
 * A cache node on one memcached server over the meta protocol: one pipelined connection, the
 * calls of one event-loop turn in one write, multi-gets as one text `get`, opaque
 * tokens on every meta request, flags stored natively, gets/cas, TLS, and key scanning. memcached's text
 * and meta protocols have no SASL: use the memjs node for servers started with `-S`.
 *
 * @example
 * const node = createMemcachedNode({ id: 'm1', host: '127.0.0.1', port: 11211 });
 * await node.set('k', Buffer.from('v'), 0x53430001, 60);
 * (await node.get('k'))?.flags; // 0x53430001
 * for await (const { key } of node.scanKeys()) console.log(key);
 */
export function createMemcachedNode(options: MemcachedNodeOptions): MemcachedNode {
  const settings = validate(options);
  const { id, clock } = settings;
  // Read only for a TTL above 30 days (an absolute expiry), so no cost on the common path.
  const now = options.now ?? ((): number => clock.now());
  const connection = new MemcachedConnection(settings);
  const scans = new Set<AbortController>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const stored = (reply: Reply): void => storedReply(id, reply);

  /** One meta command on `key` with its own opaque token (a bad key fails alone, unsent). */
  function meta<T>(key: string, interpret: (reply: Reply) => T, write: MetaWriter, value: Payload | undefined, callOptions: CallOptions | undefined): Promise<T> {
    const pending = new Promise<T>((resolve, reject) => {
      const opaque = connection.opaques(1);
      connection.send(new MetaRequest(opaque, interpret, resolve, reject, value !== undefined), (out) => write(out, key, opaque), value);
    });
    return abortable(pending, callOptions?.signal);
  }

  function store<T>(key: string, value: Payload, flags: number, ttl: Ttl, mode: StoreMode, interpret: (reply: Reply) => T, callOptions: CallOptions | undefined, cas?: string): Promise<T> {
    const bytes = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
    const expiry = memcachedExpiry(ttl, now);
    return meta(key, interpret, (out, token, opaque) => writeMetaSetHeader(out, token, bytes, flags, expiry, mode, opaque, cas), value, callOptions);
  }

  function text(command: string, expect: 'OK' | 'MN' | 'END', callOptions: CallOptions | undefined): Promise<Record<string, string>> {
    const pending = new Promise<Record<string, string>>((resolve, reject) => connection.send(new TextRequest(expect, resolve, reject), command));
    return abortable(pending, callOptions?.signal);
  }

  function counter(key: string, delta: number, mode: 'I' | 'D', callOptions: CallOptions | undefined): Promise<number | undefined> {
    if (!Number.isSafeInteger(delta) || delta < 0) return Promise.reject(new InvalidArgumentError('delta', `expected a non-negative safe integer, got ${delta}`));
    return meta(key, counterReply, (out, token, opaque) => writeMetaArithmetic(out, token, opaque, delta, mode), undefined, callOptions);
  }

  function readMany<T>(keys: readonly string[], read: ItemReader<T>, callOptions: CallOptions | undefined): Promise<(T | undefined)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    const pending = new Promise<(T | undefined)[]>((resolve, reject) => {
      const request = new MultiGetRequest(keys.length, read, resolve, reject);
      // One text get, or quiet gets ended by a no-op when a key needs base64.
      const write = (out: CommandBuffer): void => {
        const line = writeTextGet(out, keys);
        if (line !== undefined) return request.sentAsText(line);
        const base = connection.opaques(keys.length);
        request.sentAsMeta(base);
        for (let index = 0; index < keys.length; index++) writeMetaGet(out, keys[index] ?? '', base + index, false, true);
        out.ascii(META_NOOP);
      };
      connection.send(request, write);
    });
    return abortable(pending, callOptions?.signal);
  }

  let snapshot: string[] | undefined;
  const node: MemcachedNode = {
    id,
    capabilities: CAPABILITIES,
    connect: async (o) => {
      await text(META_NOOP, 'MN', o);
    },
    get: (key, o) => meta(key, itemReply, writeGet, undefined, o),
    gets: (key, o) => meta(key, versionedReply, writeGets, undefined, o),
    getMany: (keys, o) => readMany(keys, viewOf, o),
    readMany: (keys, read, o) => readMany(keys, read, o),
    set: (key, value, flags, ttl, o) => store(key, value, flags, ttl, 'S', stored, o),
    add: (key, value, flags, ttl, o) => store(key, value, flags, ttl, 'E', conditionalReply, o),
    replace: (key, value, flags, ttl, o) => store(key, value, flags, ttl, 'R', conditionalReply, o),
    // A token memcached never issued (not decimal) matches no item: only presence is asked.
    cas: (key, value, flags, ttl, cas, o) =>
      /^\d{1,20}$/.test(cas) ? store(key, value, flags, ttl, 'S', casReply, o, cas) : meta(key, (reply) => (conditionalReply(reply) ? 'exists' : 'not_found'), writeMetaProbe, undefined, o),
    setMany: async (entries, o) => {
      await Promise.all(entries.map((entry) => store(entry.key, entry.value, entry.flags, entry.ttl, 'S', stored, o)));
    },
    delete: (key, o) => meta(key, conditionalReply, writeMetaDelete, undefined, o),
    deleteMany: async (keys, o) => (await Promise.all(keys.map((key) => meta(key, conditionalReply, writeMetaDelete, undefined, o)))).filter(Boolean).length,
    incr: (key, delta, o) => counter(key, delta, 'I', o),
    decr: (key, delta, o) => counter(key, delta, 'D', o),
    touch: (key, ttl, o) => {
      const expiry = memcachedExpiry(ttl, now);
      return meta(key, conditionalReply, (out, token, opaque) => writeMetaTouch(out, token, opaque, expiry), undefined, o);
    },
    flush: async (o) => {
      await text(FLUSH_ALL, 'OK', o);
    },
    ping: async (o) => {
      await text(META_NOOP, 'MN', o);
    },
    stats: (o) => text(STATS, 'END', o),
    maxValueBytes: async (o) => valueLimit(await text(STATS_SETTINGS, 'END', o)),
    // Replies are matched by opaque token, so a late reply is harmless; but bytes lost on the
    // way (a broken middlebox) would stall the connection until its reply watchdog fires.
    lateCall: (timeoutMs) => {
      if (!closed) connection.suspect(timeoutMs);
    },
    // Warm-up reads the remaining TTL with the value.
    getWithTtl: async (key, o) => {
      const found = await meta(key, dumpReply, writeMetaGetWithTtl, undefined, o);
      return found === undefined ? undefined : { item: found.item, ttl: found.ttlMs === null ? null : Math.max(1, Math.round(found.ttlMs / 1000)) };
    },
    // Migration. memcached has no cursor: a scan from '0' takes a snapshot of the keys
    // (lru_crawler metadump) and pages through it; any other cursor continues that snapshot.
    scan: async (cursor, count) => {
      if (cursor === '0' || snapshot === undefined) {
        snapshot = [];
        for await (const { key } of node.scanKeys()) snapshot.push(key);
      }
      const start = cursor === '0' ? 0 : Number(cursor);
      const keys = snapshot.slice(start, start + count);
      const next = start + count >= snapshot.length ? '0' : String(start + count);
      if (next === '0') snapshot = undefined;
      return { cursor: next, keys };
    },
    dump: (keys) =>
      Promise.all(
        keys.map(async (key) => {
          const found = await meta(key, dumpReply, writeMetaGetWithTtl, undefined, undefined);
          return found === undefined ? undefined : { payload: found.item.value, flags: found.item.flags, ttlMs: found.ttlMs };
        }),
      ),
    // Add mode: a value already at the destination is newer and stays.
    restore: async (key, item) =>
      (await store(key, item.payload, item.flags ?? 0, item.ttlMs === null ? null : Math.max(1, Math.round(item.ttlMs / 1000)), 'E', conditionalReply, undefined)) ? 'restored' : 'exists',
    scanKeys: (o) => {
      if (closed) throw new ClosedError(`Node ${id}`);
      const controller = new AbortController();
      const signal = o?.signal === undefined ? controller.signal : AbortSignal.any([controller.signal, o.signal]);
      scans.add(controller);
      return (async function* scan() {
        try {
          yield* scanKeys({ ...settings, idleTimeoutMs: settings.replyTimeoutMs > 0 ? settings.replyTimeoutMs : 10_000 }, signal);
        } finally {
          scans.delete(controller);
        }
      })();
    },
    close: () => {
      closed = true;
      for (const scan of scans) scan.abort(new ClosedError(`Node ${id}`));
      // Every close() waits for the same drain.
      closing ??= connection.close();
      return closing;
    },
    destroy: async () => {
      closed = true;
      for (const scan of scans) scan.abort(new ClosedError(`Node ${id}`));
      connection.destroy();
    },
  };
  return node;
}

/** Writes one keyed meta command with its opaque token. */
type MetaWriter = (out: CommandBuffer, key: string, opaque: number) => void;

/** A multi-get's hit as an item: a view of the bytes it arrived in. */
const viewOf: ItemReader<StoredItem> = (_index, flags, bytes, start, end) => ({ value: bytes.subarray(start, end), flags });

const writeGet: MetaWriter = (out, key, opaque) => writeMetaGet(out, key, opaque, false, false);
const writeGets: MetaWriter = (out, key, opaque) => writeMetaGet(out, key, opaque, true, false);

/** Checks every option where it arrives, naming the one that is wrong. */
function validate(options: MemcachedNodeOptions): ConnectionSettings {
  const { id, host, port } = options;
  if (typeof id !== 'string' || id === '') throw new InvalidOptionError('id', 'expected a non-empty string');
  if (typeof host !== 'string' || host === '') throw new InvalidOptionError('host', 'expected a host name or address');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidOptionError('port', `expected 1-65535, got ${String(port)}`);
  const ms = (name: keyof MemcachedNodeOptions, fallback: number, allowZero = false): number => {
    const value = options[name] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
      throw new InvalidOptionError(name, `expected a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}`);
    }
    return value;
  };
  const tls = options.tls;
  if (tls !== undefined && typeof tls !== 'boolean' && (typeof tls !== 'object' || tls === null)) throw new InvalidOptionError('tls', 'expected true, false or tls.connect options');
  const reconnectDelayMs = ms('reconnectDelayMs', 50);
  const maxReconnectDelayMs = ms('maxReconnectDelayMs', 2000);
  if (maxReconnectDelayMs < reconnectDelayMs) throw new InvalidOptionError('maxReconnectDelayMs', `must be at least reconnectDelayMs (${reconnectDelayMs})`);
  return {
    id,
    host,
    port,
    tls: tls === undefined || tls === false ? undefined : tls === true ? {} : tls,
    connectTimeoutMs: ms('connectTimeoutMs', 1000),
    replyTimeoutMs: ms('replyTimeoutMs', 2000, true),
    reconnectDelayMs,
    maxReconnectDelayMs,
    maxValueBytes: ms('maxValueBytes', 128 * 1024 * 1024),
    clock: options.clock ?? systemClock,
    login: login(options),
  };
}

function login({ username, password }: MemcachedNodeOptions): ConnectionSettings['login'] {
  if (username === undefined && password === undefined) return undefined;
  if (typeof username !== 'string' || !/^[^\s:]+$/.test(username)) throw new InvalidOptionError('username', 'expected a non-empty name without spaces or ":" (memcached text-protocol authentication)');
  if (typeof password !== 'string' || password === '' || /[\r\n]/.test(password)) throw new InvalidOptionError('password', 'expected a non-empty string on one line');
  return { username, password };
}

/**
 * memcached's `item_size_max` bounds a whole item: header, key, value and CAS together. What is
 * left for a value under the longest key (MEMCACHED_MAX_KEY_BYTES) and an item header of at most 64 bytes.
 */
function valueLimit(settings: Record<string, string>): number | undefined {
  const itemSizeMax = Number(settings['item_size_max']);
  return Number.isSafeInteger(itemSizeMax) && itemSizeMax > ITEM_OVERHEAD_BYTES ? itemSizeMax - ITEM_OVERHEAD_BYTES : undefined;
}

const ITEM_OVERHEAD_BYTES = MEMCACHED_MAX_KEY_BYTES + 64;
