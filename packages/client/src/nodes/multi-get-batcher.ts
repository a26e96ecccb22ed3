/**
 * Merges the reads issued to one node in the same tick (single gets and multi-gets) into one
 * request. Under load many callers read from the same node at once; one MGET of their keys
 * together costs the server and the driver one command instead of many. Each caller gets
 * exactly its own result or slice back.
 */
export class MultiGetBatcher<T> {
  readonly #fetch: (keys: string[]) => Promise<T[]>;
  readonly #maxKeys: number;
  #keys: string[] = [];
  #waiters: Waiter<T>[] = [];
  #scheduled = false;

  /** `fetch` must return one result per key, aligned. Batches flush early past `maxKeys`. */
  constructor(fetch: (keys: string[]) => Promise<T[]>, maxKeys = 4096) {
    this.#fetch = fetch;
    this.#maxKeys = maxKeys;
  }

  get(keys: readonly string[]): Promise<T[]> {
    return new Promise<T[]>((resolve, reject) => {
      this.#waiters.push({ start: this.#keys.length, count: keys.length, many: resolve, reject });
      for (const key of keys) this.#keys.push(key);
      this.#added();
    });
  }

  /** One key: resolves with its result alone. */
  getOne(key: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiters.push({ start: this.#keys.length, count: 1, one: resolve, reject });
      this.#keys.push(key);
      this.#added();
    });
  }

  #added(): void {
    if (this.#keys.length >= this.#maxKeys) this.#flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(() => this.#flush());
    }
  }

  #flush(): void {
    this.#scheduled = false;
    const keys = this.#keys;
    const waiters = this.#waiters;
    if (waiters.length === 0) return;
    this.#keys = [];
    this.#waiters = [];
    let pending: Promise<T[]>;
    try {
      pending = this.#fetch(keys);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (results) => {
        for (const waiter of waiters) {
          if (waiter.one !== undefined) waiter.one(results[waiter.start] as T);
          else waiter.many(results.slice(waiter.start, waiter.start + waiter.count));
        }
      },
      (error: unknown) => {
        for (const waiter of waiters) waiter.reject(error);
      },
    );
  }
}

/** A caller's place in a batch: a multi-get wants its slice, a single get its one result. */
type Waiter<T> = {
  readonly start: number;
  readonly count: number;
  reject(error: unknown): void;
} & ({ readonly one: (result: T) => void; readonly many?: undefined } | { readonly one?: undefined; readonly many: (results: T[]) => void });
