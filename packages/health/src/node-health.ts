import { EventEmitter } from 'node:events';
import type { Cancel } from './clock.js';
import { BreakerOpenError, ClosedError } from './errors.js';
import { errorCode } from './error-code.js';
import { isTimeout } from './internal/error-facts.js';
import { EjectionBackoff } from './internal/ejection-backoff.js';
import { createOpossumBreaker, type Breaker, type BreakerState } from './internal/opossum-breaker.js';
import { Prober } from './internal/prober.js';
import { resolveOptions, type ResolvedOptions } from './internal/resolve-options.js';
import { RollingWindow } from './internal/rolling-window.js';
import { nodeId } from './internal/validate.js';
import { parseNodeHealthSnapshot, type NodeHealthSnapshot } from './node-health-snapshot.js';
import type { NodeHealthOptions } from './node-health-options.js';
import type { NodeState, NodeStats, StateChange, TransitionReason } from './node-state.js';

/**
 * Events of a {@link NodeHealth}: `state`, on every change of state and only then.
 *
 * @example
 * health.on('state', ({ node, from, to, reason }) => log.info({ node, from, to, reason }));
 */
export interface NodeHealthEvents {
  state: [change: StateChange];
}

const BREAKER_STATE: Readonly<Record<NodeState, BreakerState>> = { up: 'closed', suspect: 'closed', ejected: 'open', probing: 'halfOpen' };

/**
 * The health of one cache node, known by its id. The client asks `admits()` (or `gate()`)
 * before each request and reports each outcome with `recordSuccess` / `recordFailure`; both
 * cost a few field writes on the success path. Failures trip the node (`serverFailureLimit` in
 * a row, or `errorRateThreshold` of the window); a tripped node is ejected (breaker open) when
 * `autoEjectHosts` allows, else marked suspect. After `serverRetryTimeout` (doubling on each
 * ejection in a streak) probing starts, and `successThreshold` passing probes bring it back.
 *
 * @example
 * const health = new NodeHealth('10.0.0.5:11211', { autoEjectHosts: true, probe: (node, signal) => ping(node, signal) });
 * health.on('state', ({ from, to, reason }) => console.log(`${from} -> ${to}: ${reason}`));
 * if (health.admits()) {
 *   const started = performance.now();
 *   try { await send(); health.recordSuccess(performance.now() - started); }
 *   catch (error) { health.recordFailure(error, performance.now() - started); throw error; }
 * }
 */
export class NodeHealth extends EventEmitter<NodeHealthEvents> {
  readonly node: string;
  readonly #options: ResolvedOptions;
  readonly #window: RollingWindow;
  readonly #breaker: Breaker;
  readonly #prober: Prober | undefined;
  readonly #backoff: EjectionBackoff;
  #state: NodeState = 'up';
  #admitting = true;
  #since: number;
  #retryAt: number | undefined;
  #cancelRetry: Cancel | undefined;
  #cancelTick: Cancel | undefined;
  #consecutiveFailures = 0;
  #consecutiveSuccesses = 0;
  #failureSuspect = false;
  #latencySuspect = false;
  #lastErrorCode: string | undefined;
  #closed = false;

  constructor(node: string, options?: NodeHealthOptions) {
    super();
    this.node = nodeId('node', node);
    const resolved = resolveOptions(options);
    this.#options = resolved;
    this.#since = resolved.clock.now();
    this.#window = new RollingWindow(Math.ceil(resolved.windowMs / resolved.bucketMs), resolved.latencySamples);
    this.#breaker = createOpossumBreaker(node, 'closed');
    this.#backoff = new EjectionBackoff(resolved.serverRetryTimeout, resolved.maxEjectionMs);
    const { probe } = resolved;
    const hooks = { run: (action: () => Promise<void>) => this.#breaker.trial(action), onResult: (error: unknown) => this.#onProbe(error) };
    this.#prober = probe === undefined ? undefined : new Prober(node, { ...resolved, probe }, hooks);
    this.#tick();
    this.#syncProber();
  }

  /**
   * Rebuilds a node from `toJSON()` output (validated: ERR_INVALID_SNAPSHOT). An ejection
   * resumes with the time it had left; one that ended meanwhile moves to probing at once.
   *
   * @example
   * const health = NodeHealth.restore(JSON.parse(saved), { autoEjectHosts: true, probe });
   */
  static restore(snapshot: unknown, options?: NodeHealthOptions): NodeHealth {
    const saved: NodeHealthSnapshot = parseNodeHealthSnapshot(snapshot);
    const health = new NodeHealth(saved.node, options);
    health.#apply(saved);
    return health;
  }

  get state(): NodeState {
    return this.#state;
  }

  /** When the current ejection ends and probing starts; undefined unless ejected. */
  get retryAt(): number | undefined {
    return this.#retryAt;
  }

  /** The deadline requests to this node should use (`timeout`), in ms. */
  get timeout(): number {
    return this.#options.timeout;
  }

  /** True when a request may go to the node (up or suspect). The hot-path check: one field read. */
  admits(): boolean {
    return this.#admitting;
  }

  /** Throws ERR_BREAKER_OPEN when the node takes no requests (ERR_CLIENT_CLOSED once closed). */
  gate(): void {
    if (this.#admitting) return;
    if (this.#closed) throw new ClosedError(`NodeHealth ${this.node}`);
    throw new BreakerOpenError(this.node, this.#retryAt);
  }

  /** A request succeeded after `latencyMs`. */
  recordSuccess(latencyMs: number): void {
    this.#window.success(latencyMs);
    this.#consecutiveFailures = 0;
    if (this.#state !== 'up') this.#afterSuccess();
  }

  /**
   * A request failed after `latencyMs`. Errors `errorFilter` accepts (a miss, NOT_STORED,
   * EXISTS, a value too large, a bad key) count as successes: the node answered.
   */
  recordFailure(error: unknown, latencyMs: number): void {
    if (this.#options.errorFilter(error)) {
      this.recordSuccess(latencyMs);
      return;
    }
    this.#window.failure(latencyMs, isTimeout(error));
    this.#lastErrorCode = errorCode(error);
    this.#afterFailure(true);
  }

  /**
   * Marks the node a latency outlier, or clears the mark (the registry's outlier detection).
   * An outlier is suspect, or ejected when `eject` is true and ejection is allowed.
   */
  markOutlier(outlier: boolean, eject: boolean): void {
    if (!outlier) {
      if (this.#latencySuspect) {
        this.#latencySuspect = false;
        this.#maybeRecover();
      }
      return;
    }
    if (this.#state !== 'up' && this.#state !== 'suspect') return;
    this.#latencySuspect = true;
    if (eject && this.#mayEject()) this.#eject('latency');
    else this.#transition('suspect', 'latency');
  }

  /** A frozen snapshot for dashboards; percentiles are computed here, not per request. */
  get stats(): NodeStats {
    const { samples, ...window } = this.#window.summary();
    return Object.freeze({
      node: this.node,
      state: this.#state,
      ...window,
      latencySamples: samples,
      lastErrorCode: this.#lastErrorCode,
      timeInStateMs: this.#options.clock.now() - this.#since,
      consecutiveFailures: this.#consecutiveFailures,
      ejectionStreak: this.#backoff.streak,
    });
  }

  /** The state and its timers as plain JSON (`NodeHealth.restore` takes it back). */
  toJSON(): NodeHealthSnapshot {
    return {
      version: 1,
      node: this.node,
      state: this.#state,
      since: this.#since,
      retryAt: this.#retryAt ?? null,
      ejectionStreak: this.#backoff.streak,
      lastRestoredAt: this.#backoff.lastRestoredAt ?? null,
      consecutiveFailures: this.#consecutiveFailures,
      consecutiveSuccesses: this.#consecutiveSuccesses,
      suspectCauses: [...(this.#failureSuspect ? ['failures' as const] : []), ...(this.#latencySuspect ? ['latency' as const] : [])],
      lastErrorCode: this.#lastErrorCode ?? null,
    };
  }

  /** Stops timers and waits for a probe in flight to settle. Idempotent. */
  async close(): Promise<void> {
    this.#shutDown();
    await this.#prober?.settled();
  }

  /** Stops timers and abandons a probe in flight at once. Idempotent. */
  destroy(): Promise<void> {
    this.#shutDown();
    return Promise.resolve();
  }

  #shutDown(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#admitting = false;
    this.#cancelTick?.();
    this.#cancelRetry?.();
    this.#prober?.stop();
    this.#breaker.destroy();
  }

  #tick(): void {
    this.#cancelTick = this.#options.clock.schedule(() => {
      this.#window.rotate();
      if (!this.#closed) this.#tick();
    }, this.#options.bucketMs);
  }

  #afterSuccess(): void {
    if (this.#state !== 'suspect') return;
    this.#consecutiveSuccesses++;
    this.#maybeRecover();
  }

  /** Counts a failure and trips the node when it has had enough. */
  #afterFailure(fromRequest: boolean): void {
    if (this.#state !== 'up' && this.#state !== 'suspect') return;
    this.#consecutiveFailures++;
    this.#consecutiveSuccesses = 0;
    const reason = this.#consecutiveFailures >= this.#options.serverFailureLimit ? 'failures' : fromRequest && this.#errorRateTripped() ? 'error-rate' : undefined;
    if (reason === undefined) return;
    this.#failureSuspect = true;
    if (this.#options.autoEjectHosts && this.#mayEject()) this.#eject(reason);
    else this.#transition('suspect', this.#options.autoEjectHosts ? 'ejection-capped' : reason);
  }

  #errorRateTripped(): boolean {
    const threshold = this.#options.errorRateThreshold;
    if (threshold === 0) return false;
    const { requests, failures } = this.#window.counts();
    return requests >= this.#options.minimumVolume && failures >= threshold * requests;
  }

  #mayEject(): boolean {
    return this.#prober !== undefined && this.#options.canEject(this.node);
  }

  #maybeRecover(): void {
    if (this.#state !== 'suspect') return;
    if (this.#failureSuspect && this.#consecutiveSuccesses >= this.#options.successThreshold) this.#failureSuspect = false;
    if (!this.#failureSuspect && !this.#latencySuspect) this.#transition('up', 'recovered');
  }

  #eject(reason: TransitionReason): void {
    const now = this.#options.clock.now();
    this.#retryAt = now + this.#backoff.next(now, this.#state === 'probing');
    this.#transition('ejected', reason);
  }

  #onProbe(error: unknown): void {
    if (this.#closed) return;
    if (error !== undefined) this.#lastErrorCode = errorCode(error);
    switch (this.#state) {
      case 'probing':
        if (error !== undefined) {
          this.#eject('probe-failed');
        } else if (++this.#consecutiveSuccesses >= this.#options.successThreshold) {
          this.#transition('up', 'probes-passed');
        } else {
          // Each probe is one half-open trial; opossum closed on this one, so re-arm.
          this.#breaker.moveTo('halfOpen');
        }
        return;
      case 'up':
      case 'suspect':
        if (error !== undefined) {
          this.#afterFailure(false);
        } else {
          this.#consecutiveFailures = 0;
          this.#afterSuccess();
        }
        return;
      case 'ejected':
        return;
    }
  }

  #transition(to: NodeState, reason: TransitionReason): void {
    if (to === this.#state || this.#closed) return;
    const from = this.#state;
    const { clock } = this.#options;
    const at = clock.now();
    this.#state = to;
    this.#since = at;
    this.#admitting = to === 'up' || to === 'suspect';
    this.#consecutiveSuccesses = 0;
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
    if (to === 'ejected') {
      this.#consecutiveFailures = 0;
      this.#scheduleRetry();
    } else {
      this.#retryAt = undefined;
    }
    if (to === 'up') {
      this.#consecutiveFailures = 0;
      this.#failureSuspect = false;
      this.#latencySuspect = false;
      if (from === 'probing') {
        // Back from ejection: judge it on what it does from now on.
        this.#window.clear();
        this.#backoff.restored(at);
      }
    }
    this.#breaker.moveTo(BREAKER_STATE[to]);
    this.#syncProber();
    this.emit('state', Object.freeze({ node: this.node, from, to, reason, at, retryAt: this.#retryAt }));
  }

  #scheduleRetry(): void {
    const { clock } = this.#options;
    const retryAt = this.#retryAt ?? clock.now();
    this.#cancelRetry = clock.schedule(() => {
      this.#cancelRetry = undefined;
      this.#transition('probing', 'retry-timeout');
    }, Math.max(0, retryAt - clock.now()));
  }

  /** Probes run while suspect or probing, and while up when `probeAlways`. */
  #syncProber(): void {
    const prober = this.#prober;
    if (prober === undefined) return;
    const wanted = !this.#closed && (this.#state === 'suspect' || this.#state === 'probing' || (this.#state === 'up' && this.#options.probeAlways));
    if (wanted) prober.start();
    else prober.stop();
  }

  #apply(saved: NodeHealthSnapshot): void {
    this.#state = saved.state;
    this.#since = saved.since;
    this.#admitting = saved.state === 'up' || saved.state === 'suspect';
    this.#retryAt = saved.retryAt ?? undefined;
    this.#backoff.resume(saved.ejectionStreak, saved.lastRestoredAt ?? undefined);
    this.#consecutiveFailures = saved.consecutiveFailures;
    this.#consecutiveSuccesses = saved.consecutiveSuccesses;
    this.#failureSuspect = saved.suspectCauses.includes('failures');
    this.#latencySuspect = saved.suspectCauses.includes('latency');
    this.#lastErrorCode = saved.lastErrorCode ?? undefined;
    this.#breaker.moveTo(BREAKER_STATE[saved.state]);
    if (saved.state === 'ejected') this.#scheduleRetry();
    this.#syncProber();
  }
}
