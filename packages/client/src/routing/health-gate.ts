import type { NodeHealth } from '@shardcache/health';

/**
 * What a node slot needs from health on every call: may the call go ahead, and how did it end.
 * Three calls on the success path, each a few field updates (no clock, no opossum).
 */
export interface HealthGate {
  /** Throws ERR_BREAKER_OPEN when the node must not be called now. */
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
