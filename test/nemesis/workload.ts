// The nemesis's load: an open loop (calls start at a fixed rate however long answers take, at
// most `concurrency` in flight) of versioned reads and writes, plus request errors on purpose.
// Each key has one writer: a key is written one call at a time, so its versions only grow at
// the server. Every call is recorded in a CallLog for the checker.
import type { ManyResult } from '@shardcache/client';
import { CallLog, type CallKind } from './history.js';

/** What the workload calls: a ShardedClient, or a planted fault wrapped around one. */
export interface NemesisTarget {
  get(key: string): Promise<unknown>;
  getMany(keys: readonly string[]): Promise<ManyResult<unknown>>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<boolean>;
  incr(key: string): Promise<number | undefined>;
}

export interface WorkloadOptions {
  readonly target: NemesisTarget;
  readonly random: () => number;
  /** Key names start with it (one run never reads another's values). */
  readonly prefix: string;
  readonly keys: number;
  readonly ratePerSec: number;
  readonly concurrency: number;
  /** A value over the servers' item limit. */
  readonly oversize: string;
  /** The node a key is routed to now (recorded with each call, per key). */
  readonly locate: (key: string) => string | undefined;
  /** ms since the run began. */
  readonly now: () => number;
}

/** Keys a multi-get asks for. */
const MANY = 4;

export class Workload {
  readonly log = new CallLog();
  skippedStarts = 0;
  readonly #options: WorkloadOptions;
  /** Per key, the last version a set or delete was invoked with. */
  readonly #versions: number[];
  /** Keys with a write in flight (their one writer is busy). */
  readonly #writing = new Set<number>();
  #inFlight = 0;
  #started = 0;
  #timer: NodeJS.Timeout | undefined;
  #startedAtMs = 0;
  #drained: (() => void) | undefined;

  constructor(options: WorkloadOptions) {
    this.#options = options;
    this.#versions = Array.from({ length: options.keys }, () => 0);
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Every key the workload writes and reads with a version. */
  keyNames(): string[] {
    return this.#versions.map((_, index) => this.#key(index));
  }

  start(): void {
    this.#startedAtMs = this.#options.now();
    const tick = (): void => {
      const due = Math.floor(((this.#options.now() - this.#startedAtMs) * this.#options.ratePerSec) / 1000) - this.#started;
      for (let index = 0; index < due; index++) {
        this.#started += 1;
        if (this.#inFlight >= this.#options.concurrency) this.skippedStarts += 1;
        else this.#startOne();
      }
      this.#timer = setTimeout(tick, 2);
    };
    tick();
  }

  /** Stops starting calls; resolves once every call settled, or after `graceMs` (leaving the rest unsettled in the log). */
  async stop(graceMs: number): Promise<void> {
    clearTimeout(this.#timer);
    if (this.#inFlight === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.#drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #key(index: number): string {
    return `${this.#options.prefix}${index}`;
  }

  #startOne(): void {
    const { random, keys } = this.#options;
    const roll = random();
    const index = Math.floor(random() * keys);
    const write = roll >= 0.6 && roll < 0.97;
    if (write && !this.#writing.has(index)) {
      const version = (this.#versions[index] = (this.#versions[index] ?? 0) + 1);
      const key = this.#key(index);
      this.#writing.add(index);
      const call = roll < 0.9 ? this.#record('set', [key], version, () => this.#options.target.set(key, `${key}@${version}`)) : this.#record('delete', [key], version, () => this.#options.target.delete(key));
      void call.finally(() => this.#writing.delete(index));
    } else if (roll < 0.1) {
      const many = Array.from({ length: MANY }, () => this.#key(Math.floor(random() * keys)));
      void this.#record('getMany', [...new Set(many)], undefined, (distinct) => this.#options.target.getMany(distinct));
    } else if (roll >= 0.97 && roll < 0.99) {
      // A counter over text: the server refuses it (a request error; the node stays in).
      const key = `${this.#options.prefix}text`;
      void this.#record('set', [key], undefined, () => this.#options.target.set(key, 'abc')).then(() => this.#record('incrText', [key], undefined, () => this.#options.target.incr(key)));
    } else if (roll >= 0.998) {
      const key = `${this.#options.prefix}big`;
      void this.#record('oversize', [key], undefined, () => this.#options.target.set(key, this.#options.oversize));
    } else {
      const key = this.#key(index);
      void this.#record('get', [key], undefined, () => this.#options.target.get(key));
    }
  }

  /** Runs one call, recorded; never rejects (the log has the outcome). */
  async #record(kind: CallKind, keys: readonly string[], version: number | undefined, call: (keys: readonly string[]) => Promise<unknown>): Promise<void> {
    const complete = this.log.invoke(kind, keys, version, keys.map(this.#options.locate), this.#options.now());
    this.#inFlight += 1;
    try {
      const result = await call(keys);
      const completeMs = this.#options.now();
      if (kind === 'get') complete({ completeMs, values: [asText(result)] });
      else if (kind === 'getMany') {
        const many = result as ManyResult<unknown>;
        complete({ completeMs, values: many.values.map(asText), failedKeys: many.failures.map((failure) => failure.key) });
      } else complete({ completeMs });
    } catch (error) {
      complete({ completeMs: this.#options.now(), errorCode: codeOf(error) });
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#drained?.();
    }
  }
}

/** A read's value as the checker compares it: strings as they are, anything else as JSON. */
function asText(value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  return Buffer.isBuffer(value) ? `<buffer ${value.toString('hex')}>` : JSON.stringify(value);
}

function codeOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'UNTYPED';
}
