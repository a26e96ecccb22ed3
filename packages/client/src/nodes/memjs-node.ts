import memjs from 'memjs';
import { ClosedError, ConnectionError, ServerError, UnsupportedError, ValueTooLargeError } from '../errors.js';
import { abortable } from '../internal/abortable.js';
import type { CacheNode, CallOptions, NodeCapabilities, StoredItem, Ttl } from './cache-node.js';
import { readHeader, withHeader } from './value-header.js';

/** How to reach one memcached server through memjs (binary protocol). */
export interface MemjsNodeOptions {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** SASL PLAIN credentials (memcached started with `-S`). */
  readonly username?: string;
  readonly password?: string;
  /** memjs' own socket timeout; the client's per-call deadline is separate. Default 1000 ms. */
  readonly socketTimeoutMs?: number;
  /** Give up a connection attempt after this long. Default 1000 ms. */
  readonly connectTimeoutMs?: number;
  /** Current time in ms since the epoch, for TTLs above 30 days. Default `Date.now`. */
  readonly now?: () => number;
}

/** memcached reads an expiry above 30 days as an absolute Unix time. */
export const MEMCACHED_RELATIVE_TTL_LIMIT = 60 * 60 * 24 * 30;
// Binary protocol: an incr/decr expiry of 0xffffffff means "fail if absent, do not create".
const DO_NOT_CREATE = 0xffffffff;
const PING_KEY = 'shardcache:ping';

const CAPABILITIES: NodeCapabilities = { nativeFlags: false, cas: false, scanKeys: false, dumpRestore: false };

/**
 * memcached's expiry field for a TTL in seconds: 0 for none, the TTL itself up to 30 days,
 * and beyond that an absolute Unix time from `now` (so it depends on this machine's clock).
 */
export function memcachedExpiry(ttl: Ttl, now: () => number): number {
  if (ttl === null) return 0;
  return ttl <= MEMCACHED_RELATIVE_TTL_LIMIT ? ttl : Math.floor(now() / 1000) + ttl;
}

/**
 * A cache node on one memcached server through memjs 1.3. memjs cannot write flags (they go
 * in-band, see value-header.ts), has no multi-get (getMany is one get per key, in parallel)
 * and no gets/cas (ERR_UNSUPPORTED): the fast memcached node lifts these limits.
 *
 * @example
 * const node = createMemjsNode({ id: 'm1', host: '127.0.0.1', port: 11211 });
 * await node.set('k', Buffer.from('v'), 0, 60);
 */
export function createMemjsNode(options: MemjsNodeOptions): CacheNode {
  const { id } = options;
  const now = options.now ?? Date.now;
  const client = memjs.Client.create(`${options.host}:${options.port}`, {
    retries: 0,
    failover: false,
    timeout: (options.socketTimeoutMs ?? 1000) / 1000,
    conntimeout: (options.connectTimeoutMs ?? 1000) / 1000,
    keepAlive: true,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    // memjs logs every miss-like status; outcomes reach callers as values or errors instead.
    logger: { log: () => undefined },
  });
  let closed = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  function call<T>(run: () => Promise<T>, callOptions: CallOptions | undefined): Promise<T> {
    if (closed) return Promise.reject(new ClosedError(`Node ${id}`));
    inFlight++;
    const pending = run()
      .catch((error: unknown) => Promise.reject(translate(id, error)))
      .finally(() => {
        inFlight--;
        if (inFlight === 0) drained?.();
      });
    return abortable(pending, callOptions?.signal);
  }

  const expires = (ttl: Ttl): number => memcachedExpiry(ttl, now);

  async function get(key: string): Promise<StoredItem | undefined> {
    const { value, flags } = await client.get(key);
    if (value === null) return undefined;
    // memjs writes flags 0 only, so native flags mean another client's format (pylibmc's
    // pickle is 1, which is our UTF-8 code): hand its bytes over raw rather than guess.
    const native = flags !== null && flags.length >= 4 ? flags.readUInt32BE(0) : 0;
    return native === 0 ? readHeader(value) : { value, flags: 0 };
  }

  async function counter(key: string, delta: number, direction: 'increment' | 'decrement'): Promise<number | undefined> {
    try {
      const result = await client[direction](key, delta, { expires: DO_NOT_CREATE });
      return typeof result.value === 'number' ? result.value : undefined;
    } catch (error) {
      if (error instanceof Error && /Key not found/.test(error.message)) return undefined;
      throw error;
    }
  }

  return {
    id,
    capabilities: CAPABILITIES,
    get: (key, o) => call(() => get(key), o),
    gets: () => Promise.reject(new UnsupportedError(id, 'gets', 'memjs 1.3 does not return CAS tokens')),
    getMany: (keys, o) => call(() => Promise.all(keys.map(get)), o),
    set: (key, value, flags, ttl, o) =>
      call(async () => {
        await client.set(key, withHeader(value, flags), { expires: expires(ttl) });
      }, o),
    add: (key, value, flags, ttl, o) => call(() => client.add(key, withHeader(value, flags), { expires: expires(ttl) }), o),
    replace: (key, value, flags, ttl, o) => call(() => client.replace(key, withHeader(value, flags), { expires: expires(ttl) }), o),
    cas: () => Promise.reject(new UnsupportedError(id, 'cas', 'memjs 1.3 does not send CAS tokens')),
    setMany: (entries, o) =>
      call(async () => {
        await Promise.all(entries.map((entry) => client.set(entry.key, withHeader(entry.value, entry.flags), { expires: expires(entry.ttl) })));
      }, o),
    delete: (key, o) => call(() => client.delete(key), o),
    deleteMany: (keys, o) => call(async () => (await Promise.all(keys.map((key) => client.delete(key)))).filter(Boolean).length, o),
    incr: (key, delta, o) => call(() => counter(key, delta, 'increment'), o),
    decr: (key, delta, o) => call(() => counter(key, delta, 'decrement'), o),
    touch: (key, ttl, o) => call(() => client.touch(key, expires(ttl)), o),
    flush: (o) =>
      call(async () => {
        await client.flush();
      }, o),
    // memjs has no `version` or `noop`: any answer to a get (a miss included) proves liveness.
    ping: (o) =>
      call(async () => {
        await client.get(PING_KEY);
      }, o),
    stats: (o) =>
      call(
        () =>
          new Promise<Record<string, string>>((resolve, reject) => {
            client.stats((error, _server, stats) => (error !== null ? reject(error) : resolve(stats ?? {})));
          }),
        o,
      ),
    // memjs matches replies by order and its timeout is an idle timer: after a deadline passes,
    // close the sockets (memjs reconnects on the next request).
    lateCall: () => {
      if (!closed) for (const server of client.servers) server.close();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      client.close();
    },
    destroy: async () => {
      closed = true;
      client.close();
    },
  };
}

/** The one place memjs' errors are narrowed: status replies versus connection trouble. */
function translate(id: string, error: unknown): Error {
  if (error instanceof ClosedError || error instanceof ConnectionError || error instanceof ServerError || error instanceof ValueTooLargeError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  if (/Value too large/i.test(reason)) return new ValueTooLargeError(id, reason);
  if (/^MemJS [A-Z]+: /.test(reason)) return new ServerError(id, reason, { cause: error });
  return new ConnectionError(id, reason, { cause: error });
}
