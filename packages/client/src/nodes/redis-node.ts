import { createHash } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';
import { ClosedError, ConnectionError, ServerError, ValueTooLargeError } from '../errors.js';
import { abortable } from '../internal/abortable.js';
import { systemClock, type Clock } from '../internal/clock.js';
import type { CacheNode, CallOptions, CasResult, NodeCapabilities, Payload, StoredItem, Ttl, VersionedItem, WriteEntry } from './cache-node.js';
import { MultiGetBatcher } from './multi-get-batcher.js';
import { readHeader, withHeader } from './value-header.js';

/** How to reach one redis server. */
export interface RedisNodeOptions {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** ACL user (redis 6+). */
  readonly username?: string;
  readonly password?: string;
  /** TLS options passed to `tls.connect`, or true for the defaults. */
  readonly tls?: ConnectionOptions | boolean;
  readonly db?: number;
  /** Give up a connection attempt after this long. Default 1000 ms. */
  readonly connectTimeoutMs?: number;
  /** Reconnect back-off: 50 ms doubling up to this. Default 2000 ms. */
  readonly maxReconnectDelayMs?: number;
  /**
   * Batch the get/set commands issued in the same tick into one write (the socket is corked until
   * the tick ends; ioredis' own auto-pipelining is not used). Default true. Reads are merged into
   * one MGET per tick regardless.
   */
  readonly autoPipelining?: boolean;
  /**
   * Timers of our own (the handshake's deadline). ioredis' own timers (connect timeout,
   * reconnect back-off) run on real time: the driver takes no clock.
   */
  readonly clock?: Clock;
}

const CAPABILITIES: NodeCapabilities = { nativeFlags: false, cas: true, scanKeys: true, dumpRestore: true };

// memcached semantics on redis, one round trip each. Missing keys are never created.
// A counter is decimal text, bare (another client's, or raw bytes) or behind our value header
// (a number the client wrote: the header is kept, so it reads back as a number).
const INCR_EXISTING = `local stored = redis.call('GET', KEYS[1])
if not stored then return false end
local header = ''
if string.sub(stored, 1, 4) == '\\0\\27SC' and string.len(stored) > 12 then
  header = string.sub(stored, 1, 12)
  stored = string.sub(stored, 13)
end
if not string.match(stored, '^%d+$') then return redis.error_reply('ERR value is not an integer') end
local value = tonumber(stored) + tonumber(ARGV[1])
if value < 0 then value = 0 end
redis.call('SET', KEYS[1], header .. string.format('%d', value), 'KEEPTTL')
return value`;
const TOUCH = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == '' then redis.call('PERSIST', KEYS[1]) else redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return 1`;
// The version token is the SHA-1 of the stored bytes: equal values share a token (no ABA
// distinction), which is harmless for a cache.
const CAS = `local current = redis.call('GET', KEYS[1])
if not current then return 'not_found' end
if redis.sha1hex(current) ~= ARGV[1] then return 'exists' end
if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[2]) else redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
return 'stored'`;

/**
 * A cache node on one redis server through ioredis, with the defaults that make ioredis hang
 * replaced: no offline queue and no per-request retries (a call on a down node fails at once
 * and the health layer decides what to do), capped exponential reconnects, a connect timeout.
 *
 * @example
 * const node = createRedisNode({ id: 'r1', host: '127.0.0.1', port: 6379 });
 * await node.connect();
 * await node.set('k', Buffer.from('v'), 0, 60);
 */
export function createRedisNode(options: RedisNodeOptions): CacheNode & { connect(): Promise<void> } {
  const { id } = options;
  const client = new Redis({
    host: options.host,
    port: options.port,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.tls === undefined || options.tls === false ? {} : { tls: options.tls === true ? {} : options.tls }),
    db: options.db ?? 0,
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 1000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Batching is ours (below): ioredis' auto-pipelining builds a Pipeline per tick and node.
    enableAutoPipelining: false,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), options.maxReconnectDelayMs ?? 2000),
    reconnectOnError: () => false,
    // A command that failed with the connection must never be sent again later (it could land
    // after newer writes). maxRetriesPerRequest 0 flushes them already; this says it twice.
    autoResendUnfulfilledCommands: false,
    // A connection we drop (at close, or after a late call) is torn down at once, not after
    // ioredis's 2 s wait for the server's FIN: a closed client holds no socket, and a dropped
    // connection sends nothing more.
    disconnectTimeout: 0,
  });
  // Every read goes through one MGET per node per tick: at 64 concurrent callers that is one
  // command where there would be dozens (the driver's and the server's per-command work is most
  // of a GET's cost). MGET reads a key of another type as nil: such keys read as misses.
  const multiGets = new MultiGetBatcher((keys) => client.mgetBuffer(keys).then(decodeAll));
  // ioredis emits 'error' on every failed reconnect; the calls that fail carry the news.
  client.on('error', () => undefined);
  let closed = false;

  // The first call (or connect()) opens the connection and calls wait for it; once it has been
  // up, a lost connection fails calls at once (no offline queue) while ioredis reconnects.
  let firstConnect: Promise<void> | undefined;
  let everReady = false;
  let resetting = false;
  client.once('ready', () => {
    everReady = true;
  });
  // ioredis bounds the TCP connect but not the handshake after it (INFO, AUTH): a peer that
  // accepts and never answers would leave the node connecting for ever. Start over instead.
  const connectTimeoutMs = options.connectTimeoutMs ?? 1000;
  const clock = options.clock ?? systemClock;
  client.on('connect', () => {
    const cancel = clock.schedule(() => {
      if (!closed && client.status !== 'ready') client.disconnect(true);
    }, connectTimeoutMs);
    // One handler for both ends, each removing the other: a handshake that fails leaves no listener.
    const settled = (): void => {
      cancel();
      client.off('ready', settled);
      client.off('close', settled);
    };
    client.once('ready', settled);
    client.once('close', settled);
    // ioredis adds its parser's listener once this event's handlers have run.
    queueMicrotask(() => guardParser(client.stream));
  });
  function connect(): Promise<void> {
    firstConnect ??= client.connect().catch((error: unknown) => {
      firstConnect = undefined;
      throw translate(id, error);
    });
    return firstConnect;
  }

  // Every command sent while connected goes through `direct` or `call`, which cork the socket
  // until the end of the tick: the commands of one tick leave in one write.
  const batching = options.autoPipelining ?? true;
  let corked: Redis['stream'] | undefined;
  const uncork = (): void => {
    corked?.uncork();
    corked = undefined;
  };
  function batchThisTick(): void {
    if (!batching || corked !== undefined) return;
    corked = client.stream;
    corked.cork();
    process.nextTick(uncork);
  }

  function call<T>(run: () => Promise<T>, callOptions: CallOptions | undefined): Promise<T> {
    if (closed) return Promise.reject(new ClosedError(`Node ${id}`));
    let pending: Promise<T>;
    if (client.status === 'ready') {
      batchThisTick();
      try {
        pending = run();
      } catch (error) {
        pending = Promise.reject(error);
      }
    } else {
      // Until the first connection is ready (ioredis goes wait -> connecting -> connect ->
      // ready), calls wait for it; after that a lost connection fails them at once.
      pending = everReady ? Promise.resolve().then(run) : connect().then(run);
    }
    return abortable(pending.catch((error: unknown) => Promise.reject(translate(id, error))), callOptions?.signal);
  }

  const fail = (error: unknown): Promise<never> => Promise.reject(translate(id, error));
  /** Connected, open, no signal to honour: the request can go straight to ioredis. */
  const direct = (callOptions: CallOptions | undefined): boolean => {
    if (closed || client.status !== 'ready' || callOptions?.signal !== undefined) return false;
    batchThisTick();
    return true;
  };

  /** SET NX / XX with an optional TTL; resolves true when the server stored it. */
  function store(key: string, value: Payload, flags: number, ttl: Ttl, condition: 'NX' | 'XX'): Promise<boolean> {
    const stored = withHeader(value, flags);
    const pending = ttl === null ? client.call('SET', [key, stored, condition]) : client.call('SET', [key, stored, 'EX', ttl, condition]);
    return pending.then(isOk);
  }

  function plainSet(key: string, value: Payload, flags: number, ttl: Ttl): Promise<'OK'> {
    const stored = withHeader(value, flags);
    return ttl === null ? client.set(key, stored) : client.set(key, stored, 'EX', ttl);
  }

  return {
    id,
    capabilities: CAPABILITIES,
    connect: async () => {
      if (client.status !== 'ready') await connect();
    },
    // The two hot calls skip the generic wrapper when they can: one promise, no closure.
    get: (key, o) => (direct(o) ? multiGets.getOne(key).catch(fail) : call(() => multiGets.getOne(key), o)),
    scan: (cursor, count) =>
      call(async () => {
        const [next, keys] = await client.scan(cursor, 'COUNT', count);
        return { cursor: next, keys };
      }, undefined),
    dump: (keys) =>
      call(async () => {
        if (keys.length === 0) return [];
        const pipeline = client.pipeline();
        for (const key of keys) pipeline.dumpBuffer(key).pttl(key);
        const replies = (await pipeline.exec()) ?? [];
        return keys.map((_, index) => {
          const payload: unknown = replies[2 * index]?.[1];
          const pttl: unknown = replies[2 * index + 1]?.[1];
          if (!Buffer.isBuffer(payload) || typeof pttl !== 'number' || pttl === -2) return undefined;
          return { payload, ttlMs: pttl === -1 ? null : Math.max(1, pttl) };
        });
      }, undefined),
    restore: (key, item) =>
      call(async () => {
        try {
          // No REPLACE: a value already at the destination is newer than the copy.
          await client.call('RESTORE', [key, item.ttlMs ?? 0, item.payload]);
          return 'restored' as const;
        } catch (error) {
          if (error instanceof Error && /BUSYKEY/.test(error.message)) return 'exists' as const;
          throw error;
        }
      }, undefined),
    getWithTtl: (key, o) =>
      call(async () => {
        // Same tick, same connection, auto-pipelined: the TTL belongs to the value read.
        const [stored, ttl] = await Promise.all([client.getBuffer(key), client.ttl(key)]);
        if (stored === null) return undefined;
        return { item: readHeader(stored), ttl: ttl === -1 ? null : Math.max(ttl, 1) };
      }, o),
    gets: (key, o) =>
      call(async (): Promise<VersionedItem | undefined> => {
        const stored = await client.getBuffer(key);
        if (stored === null) return undefined;
        return { ...readHeader(stored), cas: createHash('sha1').update(stored).digest('hex') };
      }, o),
    getMany: (keys, o) => (keys.length === 0 ? Promise.resolve([]) : direct(o) ? multiGets.get(keys).catch(fail) : call(() => multiGets.get(keys), o)),
    // SET without a condition answers OK or an error: no reply to check, one promise.
    set: (key, value, flags, ttl, o) => (direct(o) ? plainSet(key, value, flags, ttl).then(toVoid, fail) : call(() => plainSet(key, value, flags, ttl).then(toVoid), o)),
    add: (key, value, flags, ttl, o) => call(() => store(key, value, flags, ttl, 'NX'), o),
    replace: (key, value, flags, ttl, o) => call(() => store(key, value, flags, ttl, 'XX'), o),
    cas: (key, value, flags, ttl, cas, o) =>
      call(async () => {
        const result = await client.eval(CAS, 1, key, cas, withHeader(value, flags), ttl === null ? '' : String(ttl));
        return casResult(id, result);
      }, o),
    setMany: (entries: readonly WriteEntry[], o) =>
      call(async () => {
        if (entries.length === 0) return;
        const pipeline = client.pipeline();
        for (const entry of entries) {
          if (entry.ttl === null) pipeline.set(entry.key, withHeader(entry.value, entry.flags));
          else pipeline.set(entry.key, withHeader(entry.value, entry.flags), 'EX', entry.ttl);
        }
        const results = (await pipeline.exec()) ?? [];
        const failed = results.find(([error]) => error !== null);
        if (failed !== undefined) throw failed[0];
      }, o),
    delete: (key, o) => call(async () => (await client.del(key)) === 1, o),
    deleteMany: (keys, o) => call(async () => (keys.length === 0 ? 0 : await client.del(...keys)), o),
    incr: (key, delta, o) => call(async () => counter(await client.eval(INCR_EXISTING, 1, key, String(delta))), o),
    decr: (key, delta, o) => call(async () => counter(await client.eval(INCR_EXISTING, 1, key, String(-delta))), o),
    touch: (key, ttl, o) => call(async () => (await client.eval(TOUCH, 1, key, ttl === null ? '' : String(ttl))) === 1, o),
    flush: (o) =>
      call(async () => {
        await client.flushdb();
      }, o),
    // A probe waits (within its own deadline) for a connection that is being re-established,
    // rather than failing at once: it asks whether the server answers, not whether we are connected.
    ping: (o) =>
      call(async () => {
        if (everReady && client.status !== 'ready') await readyOrAbort(client, o?.signal);
        await client.ping();
      }, o),
    stats: (o) => call(async () => parseInfo(await client.info()), o),
    // One bulk string's limit; CONFIG may be refused (ACL, renamed command): then it is unknown.
    maxValueBytes: (o) => call(() => client.config('GET', 'proto-max-bulk-len').then(bulkLimit, () => undefined), o),
    // ioredis matches replies by order: if a late reply never comes (bytes lost on the way),
    // later commands would read older replies. Reconnect (once per connection: calls timing
    // out together share one reset).
    lateCall: () => {
      if (closed || resetting || !everReady) return;
      resetting = true;
      client.once('ready', () => {
        resetting = false;
      });
      client.disconnect(true);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      const ended = socketClosed(client);
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
      await ended;
    },
    destroy: async () => {
      closed = true;
      const ended = socketClosed(client);
      client.disconnect();
      await ended;
    },
  };
}

/**
 * Taken before a disconnect: resolves once the socket has closed (ioredis's 'end'), so a closed
 * node holds no connection (found by the nemesis: QUIT's reply, or disconnect(), returned while
 * 4 sockets were still open). A connection already down (between reconnects) has no socket to
 * wait for, and ioredis would never say 'end' for it.
 */
function socketClosed(client: Redis): Promise<void> | undefined {
  if (client.status !== 'connecting' && client.status !== 'connect' && client.status !== 'ready') return undefined;
  return new Promise((resolve) => client.once('end', () => resolve()));
}

const isOk = (reply: unknown): boolean => reply === 'OK';
const toVoid = (): void => undefined;

function readyOrAbort(client: Redis, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      client.off('ready', onReady);
      reject(signal?.reason);
    };
    const onReady = (): void => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    if (signal?.aborted === true) return onAbort();
    client.once('ready', onReady);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function decodeAll(stored: (Buffer | null)[]): (StoredItem | undefined)[] {
  return stored.map(decode);
}

function decode(stored: Buffer | null): StoredItem | undefined {
  return stored === null ? undefined : readHeader(stored);
}

function bulkLimit(reply: unknown): number | undefined {
  const value: unknown = Array.isArray(reply) ? reply[1] : undefined;
  const bytes = typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

function counter(result: unknown): number | undefined {
  return typeof result === 'number' ? result : undefined;
}

function casResult(id: string, result: unknown): CasResult {
  if (result === 'stored' || result === 'exists' || result === 'not_found') return result;
  throw new ServerError(id, `unexpected CAS reply ${JSON.stringify(result)}`);
}

/** `INFO` as one flat record (sections merged; comments and blank lines dropped). */
function parseInfo(info: string): Record<string, string> {
  const stats: Record<string, string> = {};
  for (const line of info.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) stats[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return stats;
}

/** The one place ioredis' errors are narrowed: server replies versus connection trouble. */
function translate(id: string, error: unknown): Error {
  if (error instanceof ClosedError || error instanceof ConnectionError || error instanceof ServerError || error instanceof ValueTooLargeError) return error;
  if (error instanceof Error && error.name === 'ReplyError') {
    // proto-max-bulk-len or maxmemory refusing one value.
    if (/too large|invalid bulk length|string exceeds maximum/i.test(error.message)) return new ValueTooLargeError(id, error.message);
    return new ServerError(id, error.message, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new ConnectionError(id, reason, { cause: error });
}

/**
 * The reply parser (redis-parser, inside ioredis) throws on some corrupted input instead of
 * reporting it: an array length past what JavaScript allows is a RangeError from the socket's
 * 'data' handler, an uncaught exception that ends the application's process. Found by the
 * nemesis (a corrupting proxy, redis, 10 minutes). The parser's listener is wrapped so that such
 * a throw destroys the connection instead: its calls fail with ERR_CONNECTION and ioredis
 * reconnects, as after any broken connection.
 */
function guardParser(stream: Redis['stream'] | undefined): void {
  const [parse] = stream?.listeners('data') ?? [];
  if (stream === undefined || parse === undefined) return;
  stream.removeListener('data', parse as (...args: unknown[]) => void);
  stream.prependListener('data', (data: Buffer) => {
    try {
      (parse as (data: Buffer) => void).call(stream, data);
    } catch (error) {
      stream.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
