import type { Cancel, Clock } from '@shardcache/health';
import { ConnectionError, ServerError, ValueTooLargeError } from '../../src/index.js';
import type { CacheNode, CasResult, DumpedItem, Payload, StoredItem, Ttl, VersionedItem, WriteEntry } from '../../src/index.js';

/**
 * What a model node does to the requests it gets:
 * - node failures: `refuse` (connection refused), `hang` (a paused server: nothing is answered
 *   until `heal`, writes are applied or not as the fault says), `late` (answered `lateMs` after
 *   the request, applied at once), `drop` (applied, then the connection resets before the reply),
 *   `corrupt` (applied, then a reply the protocol cannot parse, which drops the connection);
 * - request errors, from a healthy server: `oom` (redis maxmemory with noeviction: writes fail),
 *   `wrongtype` (counters and touch meet a key of another type).
 * Values over `limitBytes` and `incr` on a value that is not a number fail as the servers do.
 */
export type Fault =
  | { readonly kind: 'refuse' | 'drop' | 'corrupt' | 'oom' | 'wrongtype' }
  | { readonly kind: 'hang'; readonly applies: boolean }
  | { readonly kind: 'late'; readonly lateMs: number };

/** Bugs planted in a node to show the checker catches what it checks. */
export type NodePlant = 'none' | 'wrong-value' | 'ignore-deletes';

interface Entry {
  readonly value: Buffer;
  readonly flags: number;
  readonly expiresAt: number | null;
  readonly cas: number;
}

type Kind = 'read' | 'write' | 'counter' | 'admin';

interface InFlight {
  readonly answer: () => void;
  readonly reject: (error: unknown) => void;
  cancel?: Cancel;
}

/** The server's own value limit, in bytes: the model's large values exceed it. */
export const SERVER_LIMIT_BYTES = 64;

/**
 * An in-memory cache server for the model checker: memcached's semantics (TTLs on the virtual
 * clock, cas tokens, counters over decimal text), faults as the real servers show them, and
 * a count of the node-level failures it produced (an ejection without one is a client bug).
 */
export class ModelNode {
  readonly id: string;
  readonly #clock: Clock;
  readonly #plant: NodePlant;
  readonly #items = new Map<string, Entry>();
  /** Requests held (paused or late), per connection: closing one fails only its own. */
  readonly #connections = new Set<Set<InFlight>>();
  #fault: Fault | undefined;
  #cas = 0;
  /** Node-level failures produced since the client last restored this node, and when the last one was. */
  nodeFailures = 0;
  lastFailureAt = -Infinity;

  constructor(id: string, clock: Clock, plant: NodePlant = 'none') {
    this.id = id;
    this.#clock = clock;
    this.#plant = plant;
  }

  get fault(): Fault | undefined {
    return this.#fault;
  }

  inject(fault: Fault): void {
    this.#fault = fault;
  }

  /** Clears the fault; a paused server answers what it was holding. */
  heal(): void {
    this.#fault = undefined;
    for (const inFlight of this.#connections) for (const request of [...inFlight]) if (request.cancel === undefined) request.answer();
  }

  /** The CacheNode the client talks to. */
  cacheNode(): CacheNode {
    const inFlight = new Set<InFlight>();
    this.#connections.add(inFlight);
    const serve = <T>(kind: Kind, apply: () => T): Promise<T> => this.#serve(inFlight, kind, apply);
    const drop = (reason: string): void => {
      for (const request of [...inFlight]) {
        request.cancel?.();
        request.reject(new ConnectionError(this.id, `${reason} (model)`));
      }
    };
    return {
      id: this.id,
      capabilities: { nativeFlags: true, cas: true, scanKeys: true, dumpRestore: true },
      get: (key) => serve('read', () => this.#read(key)),
      gets: (key) => serve('read', () => this.#readVersioned(key)),
      getWithTtl: (key) =>
        serve('read', () => {
          const entry = this.#live(key);
          if (entry === undefined) return undefined;
          const ttl: Ttl = entry.expiresAt === null ? null : Math.max(1, Math.ceil((entry.expiresAt - this.#clock.now()) / 1000));
          return { item: this.#stored(key, entry), ttl };
        }),
      getMany: (keys) => serve('read', () => keys.map((key) => this.#read(key))),
      set: (key, value, flags, ttl) => serve('write', () => this.#write(key, value, flags, ttl)),
      add: (key, value, flags, ttl) => serve('write', () => this.#live(key) === undefined && (this.#write(key, value, flags, ttl), true)),
      replace: (key, value, flags, ttl) => serve('write', () => this.#live(key) !== undefined && (this.#write(key, value, flags, ttl), true)),
      cas: (key, value, flags, ttl, token) =>
        serve('write', (): CasResult => {
          const entry = this.#live(key);
          if (entry === undefined) return 'not_found';
          if (String(entry.cas) !== token) return 'exists';
          this.#write(key, value, flags, ttl);
          return 'stored';
        }),
      setMany: (entries: readonly WriteEntry[]) => serve('write', () => entries.forEach((entry) => this.#write(entry.key, entry.value, entry.flags, entry.ttl))),
      delete: (key) => serve('write', () => this.#delete(key)),
      deleteMany: (keys) => serve('write', () => keys.filter((key) => this.#delete(key)).length),
      incr: (key, delta) => serve('counter', () => this.#count(key, delta)),
      decr: (key, delta) => serve('counter', () => this.#count(key, -delta)),
      touch: (key, ttl) =>
        serve('counter', () => {
          const entry = this.#live(key);
          if (entry === undefined) return false;
          this.#items.set(key, { ...entry, expiresAt: this.#expiry(ttl) });
          return true;
        }),
      flush: () => serve('admin', () => this.#items.clear()),
      ping: () => serve('admin', () => undefined),
      stats: () => serve('admin', () => ({ curr_items: String(this.#items.size) })),
      scan: (cursor, count) =>
        serve('admin', () => {
          const keys = [...this.#items.keys()];
          const start = Number(cursor);
          return { cursor: start + count >= keys.length ? '0' : String(start + count), keys: keys.slice(start, start + count) };
        }),
      dump: (keys) =>
        serve('admin', () =>
          keys.map((key): DumpedItem | undefined => {
            const entry = this.#live(key);
            return entry === undefined ? undefined : { payload: entry.value, flags: entry.flags, ttlMs: entry.expiresAt === null ? null : entry.expiresAt - this.#clock.now() };
          }),
        ),
      restore: (key, item) =>
        serve('write', (): 'restored' | 'exists' => {
          if (this.#live(key) !== undefined) return 'exists';
          this.#items.set(key, { value: item.payload, flags: item.flags ?? 0, expiresAt: item.ttlMs === null ? null : this.#clock.now() + item.ttlMs, cas: ++this.#cas });
          return 'restored';
        }),
      // A protocol that matches replies by order reconnects after a late call: what was in flight fails.
      lateCall: () => drop('the connection was dropped after a late call'),
      close: () => Promise.resolve(drop('closed')),
      destroy: () => Promise.resolve(drop('destroyed')),
    };
  }

  /** What the node holds for `key` now (for planted checks and debugging). */
  peek(key: string): string | undefined {
    return this.#live(key)?.value.toString();
  }

  #serve<T>(inFlight: Set<InFlight>, kind: Kind, apply: () => T): Promise<T> {
    const fault = this.#fault;
    if (fault === undefined || !this.#affects(fault, kind)) return this.#answer(apply);
    switch (fault.kind) {
      case 'oom':
        return Promise.reject(new ServerError(this.id, 'OOM command not allowed when used memory > maxmemory'));
      case 'wrongtype':
        return Promise.reject(new ServerError(this.id, 'WRONGTYPE Operation against a key holding the wrong kind of value'));
      case 'refuse':
        this.#failed();
        return Promise.reject(new ConnectionError(this.id, 'connect ECONNREFUSED (model)'));
      case 'drop':
      case 'corrupt': {
        this.#failed();
        const applied = this.#answer(apply);
        const reason = fault.kind === 'drop' ? 'read ECONNRESET (model)' : 'protocol violation: a corrupt reply (model)';
        return applied.then(() => Promise.reject(new ConnectionError(this.id, reason)));
      }
      case 'hang':
      case 'late': {
        this.#failed();
        const applied = fault.kind === 'late' || fault.applies || kind === 'read' || kind === 'admin';
        let outcome: { value: T } | { error: unknown } | undefined;
        if (applied) {
          try {
            outcome = { value: apply() };
          } catch (error) {
            outcome = { error };
          }
        }
        return new Promise<T>((resolve, reject) => {
          const request: InFlight = {
            answer: () => {
              inFlight.delete(request);
              if (outcome === undefined) {
                // Paused before the server read it: the request runs now.
                this.#answer(apply).then(resolve, reject);
              } else if ('value' in outcome) resolve(outcome.value);
              else reject(outcome.error);
            },
            reject: (error) => {
              inFlight.delete(request);
              reject(error);
            },
          };
          if (fault.kind === 'late') request.cancel = this.#clock.schedule(request.answer, fault.lateMs);
          inFlight.add(request);
        });
      }
    }
  }

  #failed(): void {
    this.nodeFailures++;
    this.lastFailureAt = this.#clock.now();
  }

  #affects(fault: Fault, kind: Kind): boolean {
    if (fault.kind === 'oom') return kind === 'write' || kind === 'counter';
    if (fault.kind === 'wrongtype') return kind === 'counter';
    return true;
  }

  #answer<T>(apply: () => T): Promise<T> {
    try {
      return Promise.resolve(apply());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #live(key: string): Entry | undefined {
    const entry = this.#items.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= this.#clock.now()) {
      this.#items.delete(key);
      return undefined;
    }
    return entry;
  }

  #stored(key: string, entry: Entry): StoredItem {
    if (this.#plant === 'wrong-value') {
      // Planted: answers with another key's value when it has one.
      for (const [other, item] of this.#items) if (other !== key) return { value: Buffer.from(item.value), flags: item.flags };
    }
    return { value: Buffer.from(entry.value), flags: entry.flags };
  }

  #read(key: string): StoredItem | undefined {
    const entry = this.#live(key);
    return entry === undefined ? undefined : this.#stored(key, entry);
  }

  #readVersioned(key: string): VersionedItem | undefined {
    const entry = this.#live(key);
    return entry === undefined ? undefined : { ...this.#stored(key, entry), cas: String(entry.cas) };
  }

  #expiry(ttl: Ttl): number | null {
    return ttl === null ? null : this.#clock.now() + ttl * 1000;
  }

  #write(key: string, value: Payload, flags: number, ttl: Ttl): void {
    const bytes = Buffer.from(value);
    if (bytes.length > SERVER_LIMIT_BYTES) throw new ValueTooLargeError(this.id, 'SERVER_ERROR object too large for cache');
    this.#items.set(key, { value: bytes, flags, expiresAt: this.#expiry(ttl), cas: ++this.#cas });
  }

  #delete(key: string): boolean {
    const existed = this.#live(key) !== undefined;
    if (this.#plant !== 'ignore-deletes') this.#items.delete(key);
    return existed;
  }

  #count(key: string, delta: number): number | undefined {
    const entry = this.#live(key);
    if (entry === undefined) return undefined;
    const text = entry.value.toString('latin1');
    if (!/^\d{1,20}$/.test(text)) throw new ServerError(this.id, 'CLIENT_ERROR cannot increment or decrement non-numeric value');
    const next = Math.max(0, Number(text) + delta);
    this.#items.set(key, { ...entry, value: Buffer.from(String(next)), cas: ++this.#cas });
    return next;
  }
}
