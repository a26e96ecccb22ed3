/**
 * A least-recently-used store bounded by entries and bytes, with an expiry per entry. Laid out
 * like lru-cache: a Map from key to slot, and the recency list as typed arrays of slot indexes,
 * so a hit is one Map lookup and a few integer writes, with nothing allocated.
 */
export class Lru<V> {
  readonly #index = new Map<string, number>();
  readonly #keys: (string | undefined)[];
  readonly #values: (V | undefined)[];
  readonly #sizes: Float64Array;
  readonly #expiries: Float64Array;
  readonly #next: Uint32Array;
  readonly #prev: Uint32Array;
  readonly #free: number[] = [];
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  /** Oldest and newest slots; meaningless while empty. */
  #head = 0;
  #tail = 0;
  #used = 0;
  #bytes = 0;
  evictions = 0;

  constructor(maxEntries: number, maxBytes: number) {
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
    this.#keys = new Array<string | undefined>(maxEntries).fill(undefined);
    this.#values = new Array<V | undefined>(maxEntries).fill(undefined);
    this.#sizes = new Float64Array(maxEntries);
    this.#expiries = new Float64Array(maxEntries);
    this.#next = new Uint32Array(maxEntries);
    this.#prev = new Uint32Array(maxEntries);
  }

  get size(): number {
    return this.#index.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The live value, made most recent; an expired entry is dropped on the way. */
  get(key: string, now: number): V | undefined {
    const slot = this.#index.get(key);
    if (slot === undefined) return undefined;
    if (now >= (this.#expiries[slot] ?? 0)) {
      this.delete(key);
      return undefined;
    }
    if (slot !== this.#tail) {
      this.#unlink(slot);
      this.#append(slot);
    }
    return this.#values[slot];
  }

  /** False when the entry alone is over `maxBytes` (then nothing is stored). */
  set(key: string, value: V, bytes: number, expiresAt: number): boolean {
    this.delete(key);
    if (bytes > this.#maxBytes) return false;
    while (this.#index.size > 0 && (this.#index.size >= this.#maxEntries || this.#bytes + bytes > this.#maxBytes)) this.#evictOldest();
    const slot = this.#free.pop() ?? this.#used++;
    this.#keys[slot] = key;
    this.#values[slot] = value;
    this.#sizes[slot] = bytes;
    this.#expiries[slot] = expiresAt;
    this.#bytes += bytes;
    this.#index.set(key, slot);
    this.#append(slot);
    return true;
  }

  delete(key: string): boolean {
    const slot = this.#index.get(key);
    if (slot === undefined) return false;
    this.#index.delete(key);
    this.#unlink(slot);
    this.#bytes -= this.#sizes[slot] ?? 0;
    this.#keys[slot] = undefined;
    this.#values[slot] = undefined; // let the value be collected
    this.#free.push(slot);
    return true;
  }

  clear(): void {
    for (const key of [...this.#index.keys()]) this.delete(key);
  }

  #evictOldest(): void {
    const key = this.#keys[this.#head];
    if (key !== undefined && this.delete(key)) this.evictions++;
  }

  /** Links `slot` as the newest; the list must not contain it. */
  #append(slot: number): void {
    if (this.#index.size === 1) {
      this.#head = slot;
    } else {
      this.#next[this.#tail] = slot;
      this.#prev[slot] = this.#tail;
    }
    this.#tail = slot;
  }

  #unlink(slot: number): void {
    if (slot === this.#head) this.#head = this.#next[slot] ?? 0;
    else if (slot === this.#tail) this.#tail = this.#prev[slot] ?? 0;
    else {
      const prev = this.#prev[slot] ?? 0;
      const next = this.#next[slot] ?? 0;
      this.#next[prev] = next;
      this.#prev[next] = prev;
    }
  }
}

/** Roughly what a value holds in memory: exact for bytes, an estimate from JSON otherwise. */
export function estimateBytes(key: string, value: unknown): number {
  const overhead = 64 + key.length * 2;
  if (value instanceof Uint8Array) return overhead + value.byteLength;
  if (typeof value === 'string') return overhead + value.length * 2;
  if (typeof value !== 'object' || value === null) return overhead + 8;
  try {
    return overhead + (JSON.stringify(value)?.length ?? 0) * 2;
  } catch {
    return overhead + 1024;
  }
}
