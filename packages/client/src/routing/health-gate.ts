/**
 * What a node slot needs from health on every call: may the call go ahead, and how did it end.
 * Kept to three methods so the success path stays a few field updates.
 */
export interface HealthGate {
  /** Throws (ERR_BREAKER_OPEN) when the node must not be called now. */
  admit(): void;
  success(latencyMs: number): void;
  /** A failure that says something about the node (not a miss, not a bad key). */
  failure(error: unknown, latencyMs: number): void;
}

/** A gate that admits everything, for nodes without health tracking. */
export const OPEN_GATE: HealthGate = {
  admit: () => undefined,
  success: () => undefined,
  failure: () => undefined,
};
