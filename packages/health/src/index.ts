export { preciseClock, sleep, systemClock } from './clock.js';
export type { Cancel, Clock } from './clock.js';
export {
  AttemptTimeoutError,
  BreakerOpenError,
  ClosedError,
  DuplicateNodeError,
  HealthError,
  InvalidOptionError,
  InvalidSnapshotError,
  RetryBudgetExhaustedError,
  UnknownNodeError,
} from './errors.js';
export type { HealthErrorCode } from './errors.js';
export { errorCode } from './error-code.js';
export { HealthRegistry } from './health-registry.js';
export type { HealthRegistryEvents, HealthRegistryOptions, HealthRegistrySnapshot, HealthRegistryStats } from './health-registry.js';
export { IDEMPOTENT_COMMANDS, isIdempotent, NON_IDEMPOTENT_COMMANDS } from './idempotency.js';
export { NodeHealth } from './node-health.js';
export type { NodeHealthEvents } from './node-health.js';
export type { ErrorFilter, NodeHealthOptions, ProbeFunction } from './node-health-options.js';
export type { NodeHealthSnapshot } from './node-health-snapshot.js';
export type { NodeState, NodeStats, StateChange, TransitionReason } from './node-state.js';
export { RetryBudget } from './retry-budget.js';
export type { RetryBudgetOptions } from './retry-budget.js';
export { RetryPolicy } from './retry-policy.js';
export type { RetryPolicyOptions, RetryRunOptions } from './retry-policy.js';
export { fromTwemproxyPool } from './twemproxy.js';
export type { TwemproxyHealthOptions } from './twemproxy.js';
