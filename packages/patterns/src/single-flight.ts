/**
 * Coalesces concurrent calls per key: while a call for a key is running, later calls for the
 * same key get its promise instead of running their own. Nothing is remembered after it settles.
 *
 * @example
 * const flight = new SingleFlight();
 * const [a, b] = await Promise.all([flight.run('k', load), flight.run('k', load)]); // load ran once
 * flight.coalesced; // 1
 */
export class SingleFlight {
  readonly #running = new Map<string, Promise<unknown>>();
  #coalesced = 0;
  readonly #onJoin: (() => void) | undefined;

  /** `onJoin` is told each time a call joins a running one (for stats). */
  constructor(onJoin?: () => void) {
    this.#onJoin = onJoin;
  }

  /** Calls that joined a running call instead of starting one. */
  get coalesced(): number {
    return this.#coalesced;
  }

  /** Keys with a call running now. */
  get size(): number {
    return this.#running.size;
  }

  has(key: string): boolean {
    return this.#running.has(key);
  }

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running !== undefined) {
      this.#coalesced++;
      this.#onJoin?.();
      return running as Promise<T>;
    }
    let started: Promise<T>;
    try {
      started = fn();
    } catch (error) {
      return Promise.reject(error);
    }
    // Forget the call when it settles; the caller still sees the original outcome.
    const forget = (): void => void this.#running.delete(key);
    started.then(forget, forget);
    this.#running.set(key, started);
    return started;
  }
}
