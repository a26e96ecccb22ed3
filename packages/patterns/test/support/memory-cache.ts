// An in-memory Cache with the cluster's semantics (add only if absent, incr of an absent key
// creates nothing, counters are raw decimal bytes, TTL in whole seconds), on Date.now() so
// vitest's fake timers drive expiry. `calls` counts each method, `failing` makes them reject.
import type { Cache, CacheCallOptions, CacheManyResult, CacheWriteOptions } from '../../src/index.js';

interface Item {
  value: unknown;
  expiresAt: number;
}

export class MemoryCache implements Cache {
  readonly items = new Map<string, Item>();
  readonly calls: Record<string, number> = {};
  failing = false;

  #count(method: string): void {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    if (this.failing) throw Object.assign(new Error('cache down'), { code: 'ERR_CONNECTION' });
  }

  #live(key: string): Item | undefined {
    const item = this.items.get(key);
    if (item !== undefined && Date.now() >= item.expiresAt) this.items.delete(key);
    return this.items.get(key);
  }

  #expiry(options?: CacheWriteOptions): number {
    const ttl = options?.ttl ?? 3600;
    if (ttl === 'never') return Number.POSITIVE_INFINITY;
    if (!Number.isInteger(ttl) || ttl <= 0) throw Object.assign(new Error(`bad ttl ${ttl}`), { code: 'ERR_INVALID_TTL' });
    return Date.now() + ttl * 1000;
  }

  async get<T = unknown>(key: string, _options?: CacheCallOptions): Promise<T | undefined> {
    this.#count('get');
    return this.#live(key)?.value as T | undefined;
  }

  async set(key: string, value: unknown, options?: CacheWriteOptions): Promise<void> {
    this.#count('set');
    // Stored as JSON would round-trip it, so tests see what a real cache returns.
    const stored = Buffer.isBuffer(value) ? Buffer.from(value) : value === undefined ? undefined : JSON.parse(JSON.stringify(value));
    this.items.set(key, { value: stored, expiresAt: this.#expiry(options) });
  }

  async add(key: string, value: unknown, options?: CacheWriteOptions): Promise<boolean> {
    this.#count('add');
    if (this.#live(key) !== undefined) return false;
    this.items.set(key, { value, expiresAt: this.#expiry(options) });
    return true;
  }

  async delete(key: string): Promise<boolean> {
    this.#count('delete');
    return this.#live(key) !== undefined && this.items.delete(key);
  }

  async incr(key: string, delta = 1): Promise<number | undefined> {
    this.#count('incr');
    const item = this.#live(key);
    if (item === undefined) return undefined;
    const next = Number(Buffer.isBuffer(item.value) ? item.value.toString() : item.value) + delta;
    item.value = Buffer.from(String(next));
    return next;
  }

  async getMany<T = unknown>(keys: readonly string[]): Promise<CacheManyResult<T>> {
    this.#count('getMany');
    return { values: keys.map((key) => this.#live(key)?.value as T | undefined), failures: [] };
  }
}
