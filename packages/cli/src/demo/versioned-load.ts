import { errorCode, sleep, type Clock } from '@shardcache/health';
import { setMaxListeners } from 'node:events';

/** The calls the load makes: any cache, wrapped in three functions. */
export interface LoadTarget {
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<void>;
  /** Stores only if absent (refills after a miss); false when the key exists. */
  add(key: string, value: string): Promise<boolean>;
  /** Writes a batch; resolves with the keys that failed. */
  setMany(entries: readonly { readonly key: string; readonly value: string }[]): Promise<readonly string[]>;
  /** The node a key is placed on now, for `LoadCall.node`; omit it when unknown. */
  locate?(key: string): string | undefined;
}

/** One call of the load as `LoadOptions.onCall` hears it; times on the load's clock. */
export interface LoadCall {
  readonly kind: 'get' | 'set';
  /** The node the key was placed on when the call started (`LoadTarget.locate`). */
  readonly node: string | undefined;
  readonly startedAt: number;
  /** When the call was done: for a miss, after its refill (the totals count them as one call). */
  readonly endedAt: number;
  readonly errorCode: string | undefined;
  /** For reads that returned: as the totals judge them. */
  readonly outcome: 'hit' | 'miss' | 'stale' | 'wrong' | undefined;
}

/** The shape and pace of a `VersionedLoad`. */
export interface LoadOptions {
  /** Distinct keys (`demo:key-0` ...). */
  readonly keys: number;
  /** Calls started per second at most (the load is paced, not flat out). */
  readonly opsPerSecond: number;
  /** Calls in flight at most. */
  readonly concurrency: number;
  /** Share of gets, 0..1. Default 0.8. */
  readonly readShare?: number;
  readonly clock: Clock;
  readonly random?: () => number;
  /** Hears every call once it is done (the demo's page plots them); default: nobody. */
  readonly onCall?: (call: LoadCall) => void;
}

/** Counts since the load started; `wrong` and `stale` judged as `runScenario` judges them. */
export interface LoadTotals {
  readonly ops: number;
  readonly gets: number;
  readonly sets: number;
  readonly hits: number;
  readonly misses: number;
  /** A version older than the last acknowledged write when the read started. */
  readonly stale: number;
  /** Another key's value, a version never written, or bytes that are not our string. */
  readonly wrong: number;
  readonly errors: number;
  readonly errorsByCode: Readonly<Record<string, number>>;
}

const PRELOAD_BATCH = 500;

/**
 * A bounded, paced read/write load whose values say which key and which write they are
 * (`demo:key-3@7`), so every read can be judged: a hit, a miss, stale, or wrong. A miss is
 * refilled as an application would after reading its database: with the newest acknowledged
 * version, and with `add`, so a newer write that lands first always wins.
 *
 * @example
 * const load = new VersionedLoad({ keys: 2000, opsPerSecond: 2000, concurrency: 16, clock: systemClock });
 * await load.preload(target);
 * await load.run(target, signal); // until signal aborts
 * console.log(load.totals.wrong); // 0
 */
export class VersionedLoad {
  readonly #options: Required<Omit<LoadOptions, 'random' | 'onCall'>> & { readonly random: () => number; readonly onCall: ((call: LoadCall) => void) | undefined };
  /** Per key: the newest version written (attempted) and the newest acknowledged. */
  readonly #attempted: Uint32Array;
  readonly #acknowledged: Uint32Array;
  readonly #errorsByCode = new Map<string, number>();
  #counts = { ops: 0, gets: 0, sets: 0, hits: 0, misses: 0, stale: 0, wrong: 0, errors: 0 };

  constructor(options: LoadOptions) {
    this.#options = { readShare: 0.8, random: Math.random, onCall: undefined, ...options };
    this.#attempted = new Uint32Array(options.keys);
    this.#acknowledged = new Uint32Array(options.keys);
  }

  /** The key for index `i`. */
  static key(i: number): string {
    return `demo:key-${i}`;
  }

  get totals(): LoadTotals {
    return { ...this.#counts, errorsByCode: Object.fromEntries(this.#errorsByCode) };
  }

  /** Writes version 1 of every key, so reads hit from the start. */
  async preload(target: LoadTarget): Promise<void> {
    for (let start = 0; start < this.#options.keys; start += PRELOAD_BATCH) {
      const indexes = Array.from({ length: Math.min(PRELOAD_BATCH, this.#options.keys - start) }, (_, i) => start + i);
      for (const i of indexes) this.#attempted[i] = 1;
      const failed = new Set(await target.setMany(indexes.map((i) => ({ key: VersionedLoad.key(i), value: `${VersionedLoad.key(i)}@1` }))));
      for (const i of indexes) if (!failed.has(VersionedLoad.key(i))) this.#acknowledged[i] = 1;
    }
  }

  /** Runs until `signal` aborts, then resolves once the calls in flight are done. */
  async run(target: LoadTarget, stop: AbortSignal): Promise<void> {
    const { clock, opsPerSecond, concurrency } = this.#options;
    // One listener on the caller's signal; every worker's pause listens to this one.
    const controller = new AbortController();
    const { signal } = controller;
    setMaxListeners(concurrency + 1, signal);
    const abort = (): void => controller.abort();
    if (stop.aborted) abort();
    else stop.addEventListener('abort', abort, { once: true });
    let origin = clock.now();
    let issued = 0;
    const worker = async (): Promise<void> => {
      while (!signal.aborted) {
        const due = origin + (issued * 1000) / opsPerSecond;
        const now = clock.now();
        // Fell behind by more than a second (a stall): start the pace again instead of bursting.
        if (due < now - 1000) {
          origin = now;
          issued = 0;
        }
        issued += 1;
        if (due > now) await sleep(clock, due - now, signal);
        if (signal.aborted) return;
        await this.#operate(target);
      }
    };
    try {
      await Promise.all(Array.from({ length: concurrency }, worker));
    } finally {
      stop.removeEventListener('abort', abort);
    }
  }

  async #operate(target: LoadTarget): Promise<void> {
    const { keys, readShare, random, clock, onCall } = this.#options;
    const i = Math.floor(random() * keys);
    const key = VersionedLoad.key(i);
    const counts = this.#counts;
    const isGet = random() < readShare;
    const node = onCall === undefined ? undefined : target.locate?.(key);
    const startedAt = clock.now();
    let outcome: LoadCall['outcome'];
    let code: string | undefined;
    counts.ops += 1;
    try {
      if (isGet) {
        counts.gets += 1;
        const acknowledgedAtStart = this.#acknowledged[i] ?? 0;
        const value = await target.get(key);
        outcome = this.#judge(key, value, acknowledgedAtStart, this.#attempted[i] ?? 0);
        const newest = this.#acknowledged[i] ?? 0;
        if ((value === undefined || value === null) && newest > 0) await target.add(key, `${key}@${newest}`);
      } else {
        counts.sets += 1;
        const version = (this.#attempted[i] ?? 0) + 1;
        this.#attempted[i] = version;
        await target.set(key, `${key}@${version}`);
        this.#acknowledged[i] = Math.max(this.#acknowledged[i] ?? 0, version);
      }
    } catch (error) {
      counts.errors += 1;
      code = errorCode(error);
      this.#errorsByCode.set(code, (this.#errorsByCode.get(code) ?? 0) + 1);
    }
    onCall?.({ kind: isGet ? 'get' : 'set', node, startedAt, endedAt: clock.now(), errorCode: code, outcome });
  }

  /** The same rule as `runScenario`'s report, so the numbers mean the same in both places. */
  #judge(key: string, value: unknown, acknowledgedAtStart: number, attemptedNow: number): NonNullable<LoadCall['outcome']> {
    const counts = this.#counts;
    if (value === undefined || value === null) {
      counts.misses += 1;
      return 'miss';
    }
    counts.hits += 1;
    const text = typeof value === 'string' ? value : '';
    const at = text.lastIndexOf('@');
    const version = Number(text.slice(at + 1));
    if (at === -1 || text.slice(0, at) !== key || !Number.isInteger(version) || version < 1 || version > attemptedNow) {
      counts.wrong += 1;
      return 'wrong';
    }
    if (version < acknowledgedAtStart) {
      counts.stale += 1;
      return 'stale';
    }
    return 'hit';
  }
}
