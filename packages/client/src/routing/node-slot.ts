import { ShardcacheError, OverloadedError, TimeoutError } from '../errors.js';
import type { Clock } from '../internal/clock.js';
import type { DeadlineQueue } from '../internal/deadline-queue.js';
import type { CacheNode } from '../nodes/cache-node.js';
import type { NodeAddress } from '../nodes/node-address.js';
import { NodeStats } from '../stats/node-stats.js';
import type { HealthGate } from './health-gate.js';

export interface NodeSlotOptions {
  readonly maxInFlight: number;
  readonly clock: Clock;
  readonly deadlines: DeadlineQueue;
  readonly gate: HealthGate;
}

/**
 * One node as the router sees it: the adapter behind a health gate, an in-flight limit and a
 * deadline per call. The last step of the request path before the wire.
 */
export class NodeSlot {
  readonly address: NodeAddress;
  readonly node: CacheNode;
  readonly stats = new NodeStats();
  readonly #options: NodeSlotOptions;
  /** Calls whose callers are still waiting (close() drains these). */
  #waiting = 0;
  #drained: (() => void) | undefined;

  constructor(address: NodeAddress, node: CacheNode, options: NodeSlotOptions) {
    this.address = address;
    this.node = node;
    this.#options = options;
  }

  get id(): string {
    return this.address.id;
  }

  /**
   * Runs `operation` on this node within `timeoutMs`. The caller's wait ends at the deadline or
   * when `signal` aborts; the node's request may still be in flight and keeps counting against
   * `maxInFlight` until the server answers or the connection drops.
   */
  run<T>(command: string, timeoutMs: number, signal: AbortSignal | undefined, operation: () => Promise<T>): Promise<T> {
    const { stats } = this;
    const { clock, gate } = this.#options;
    if (stats.inFlight >= this.#options.maxInFlight) {
      stats.recordError('ERR_OVERLOADED');
      return Promise.reject(new OverloadedError(this.id, this.#options.maxInFlight));
    }
    try {
      gate.admit();
    } catch (error) {
      stats.recordError(error instanceof ShardcacheError || hasCode(error) ? error.code : 'ERR_UNKNOWN');
      return Promise.reject(error);
    }
    if (signal?.aborted === true) return Promise.reject(signal.reason);

    stats.calls++;
    stats.inFlight++;
    this.#waiting++;
    const started = clock.now();
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (): void => {
        settled = true;
        deadline.cancel();
        signal?.removeEventListener('abort', onAbort);
        if (--this.#waiting === 0) this.#drained?.();
      };
      const onAbort = (): void => {
        if (settled) return;
        finish();
        reject(signal?.reason);
      };
      const deadline = this.#options.deadlines.add(timeoutMs, () => {
        if (settled) return;
        finish();
        const latency = clock.now() - started;
        const error = new TimeoutError(this.id, command, timeoutMs);
        stats.recordError(error.code);
        gate.failure(error, latency);
        reject(error);
      });
      signal?.addEventListener('abort', onAbort, { once: true });

      operation().then(
        (value) => {
          stats.inFlight--;
          if (settled) return;
          finish();
          const latency = clock.now() - started;
          stats.latency.record(latency);
          gate.success(latency);
          resolve(value);
        },
        (error: unknown) => {
          stats.inFlight--;
          if (settled) return;
          finish();
          const latency = clock.now() - started;
          stats.latency.record(latency);
          stats.recordError(hasCode(error) ? error.code : 'ERR_UNKNOWN');
          gate.failure(error, latency);
          reject(error);
        },
      );
    });
  }

  /** Resolves once no caller is waiting on this node (deadlines bound the wait). */
  drain(): Promise<void> {
    if (this.#waiting === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#drained = resolve;
    });
  }
}

function hasCode(error: unknown): error is { code: string } {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}
