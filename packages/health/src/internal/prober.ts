import type { Cancel, Clock } from '../clock.js';
import { AttemptTimeoutError } from '../errors.js';
import type { ProbeFunction } from '../node-health-options.js';

/** What the prober reads from the node's resolved options. */
export interface ProberOptions {
  readonly probe: ProbeFunction;
  readonly probeIntervalMs: number;
  readonly probeJitter: number;
  readonly timeout: number;
  readonly clock: Clock;
  readonly random: () => number;
}

/** How probes reach the node and where their results go. */
export interface ProberHooks {
  /** Runs the probe (through the breaker, as a trial). */
  readonly run: (action: () => Promise<void>) => Promise<void>;
  readonly onResult: (error: unknown) => void;
}

/**
 * Runs a node's probe every `intervalMs` (± `jitter` of it, so a fleet's probes spread out)
 * while active. Starts are paced at the interval, not after each probe ends, so a hung node is
 * seen after `timeoutMs` per probe with no extra wait; probes never overlap.
 */
export class Prober {
  readonly #node: string;
  readonly #options: ProberOptions;
  readonly #hooks: ProberHooks;
  #active = false;
  #running: Promise<void> | undefined;
  #cancelNext: Cancel | undefined;
  #abort: AbortController | undefined;
  #nextStartAt = 0;

  constructor(node: string, options: ProberOptions, hooks: ProberHooks) {
    this.#node = node;
    this.#options = options;
    this.#hooks = hooks;
  }

  get active(): boolean {
    return this.#active;
  }

  /**
   * Starts probing. The first probe runs after a random share (up to `jitter`) of one interval,
   * so nodes entering the same state together do not probe in step; at once without jitter.
   */
  start(): void {
    if (this.#active) return;
    this.#active = true;
    const { probeIntervalMs, probeJitter, random, clock } = this.#options;
    const delay = probeIntervalMs * probeJitter * random();
    this.#nextStartAt = clock.now() + delay;
    if (this.#running !== undefined) return;
    if (delay > 0) this.#scheduleNext();
    else this.#running = this.#probeOnce();
  }

  /** Stops probing and aborts a probe in flight; its result is dropped. */
  stop(): void {
    this.#active = false;
    this.#cancelNext?.();
    this.#cancelNext = undefined;
    this.#abort?.abort(new Error('probing stopped'));
  }

  /** Resolves once no probe is in flight. */
  async settled(): Promise<void> {
    await this.#running;
  }

  #scheduleNext(): void {
    const { clock } = this.#options;
    this.#cancelNext = clock.schedule(() => {
      this.#cancelNext = undefined;
      if (this.#active) this.#running = this.#probeOnce();
    }, Math.max(0, this.#nextStartAt - clock.now()));
  }

  async #probeOnce(): Promise<void> {
    const node = this.#node;
    const { probe, probeIntervalMs, probeJitter, timeout: timeoutMs, clock, random } = this.#options;
    const { run, onResult } = this.#hooks;
    this.#nextStartAt = clock.now() + probeIntervalMs * (1 - probeJitter + 2 * probeJitter * random());
    const abort = new AbortController();
    this.#abort = abort;
    const cancelDeadline = clock.schedule(() => abort.abort(new AttemptTimeoutError(node, timeoutMs)), timeoutMs);
    let failure: unknown;
    try {
      await run(() => raceAbort(probe(node, abort.signal), abort.signal));
    } catch (error) {
      failure = error ?? new Error('probe rejected without a reason');
    } finally {
      cancelDeadline();
    }
    // A probe stopped by `stop()` says nothing about the node.
    const stopped = abort.signal.aborted && !(abort.signal.reason instanceof AttemptTimeoutError);
    this.#abort = undefined;
    this.#running = undefined;
    if (!stopped) onResult(failure);
    // `onResult` may have stopped or restarted probing (a state change); start() schedules
    // only when no probe is in flight, so the next one is scheduled here.
    if (this.#active && this.#cancelNext === undefined) this.#scheduleNext();
  }
}

/** Settles with the signal's reason as soon as it aborts, whether or not the probe listens. */
function raceAbort(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
