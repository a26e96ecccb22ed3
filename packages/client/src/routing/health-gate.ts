import { BreakerOpenError as HealthBreakerOpenError, ClosedError as HealthClosedError, type NodeHealth } from '@shardcache/health';
import { BreakerOpenError, ClosedError, ShardcacheError } from '../errors.js';

/**
 * What a node slot needs from health on every call: may the call go ahead, and how did it end.
 * Three calls on the success path, each a few field updates (no clock, no opossum).
 */
export interface HealthGate {
  /**
   * Throws when the node must not be called now (health's ERR_BREAKER_OPEN). Callers never see
   * what it throws: they get `gateRefusal`'s client error, with it as `cause`.
   */
  admit(): void;
  success(latencyMs: number): void;
  /** Health's error filter decides whether the error says anything about the node. */
  failure(error: unknown, latencyMs: number): void;
}

/** The gate of one node, backed by its `NodeHealth`. */
export function healthGate(health: NodeHealth): HealthGate {
  return {
    admit: () => health.gate(),
    success: (latencyMs) => health.recordSuccess(latencyMs),
    failure: (error, latencyMs) => health.recordFailure(error, latencyMs),
  };
}

/**
 * The client error for a gate's refusal, the thrown value kept as `cause`: the one place a health
 * error becomes a client error (every call asks the gate through NodeSlot.refuse). A closed
 * health (the client is closing) is ERR_CLIENT_CLOSED; any other refusal is ERR_BREAKER_OPEN.
 */
export function gateRefusal(node: string, error: unknown): ShardcacheError {
  if (error instanceof ShardcacheError) return error;
  if (error instanceof HealthClosedError) return new ClosedError(`NodeHealth ${node}`, { cause: error });
  return new BreakerOpenError(node, error instanceof HealthBreakerOpenError ? error.retryAt : undefined, { cause: error });
}
