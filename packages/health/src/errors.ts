/**
 * Every `code` a `HealthError` can carry, one per class (as undici's errors module does): a
 * `switch (err.code)` is checked for exhaustiveness, and a typo in a comparison fails to compile.
 */
export type HealthErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_BREAKER_OPEN'
  | 'ERR_RETRY_BUDGET_EXHAUSTED'
  | 'ERR_ATTEMPT_TIMEOUT'
  | 'ERR_UNKNOWN_NODE'
  | 'ERR_DUPLICATE_NODE'
  | 'ERR_INVALID_SNAPSHOT'
  | 'ERR_CLIENT_CLOSED';

/**
 * Base class of every error `@shardcache/health` throws. Match on `code`, never on the message.
 *
 * @example
 * try { health.gate() } catch (err) {
 *   if (err instanceof HealthError && err.code === 'ERR_BREAKER_OPEN') routeElsewhere();
 * }
 */
export class HealthError extends Error {
  readonly code: HealthErrorCode;

  constructor(code: HealthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * An option is missing, mistyped or out of range; `option` names it. Thrown at construction.
 *
 * @example
 * new NodeHealth('a', { serverFailureLimit: 0 }); // InvalidOptionError: option "serverFailureLimit"
 */
export class InvalidOptionError extends HealthError {
  declare readonly code: 'ERR_INVALID_OPTION';
  readonly option: string;
  /** Why the value was refused (the message without the option), for a caller that renames it. */
  readonly reason: string;

  constructor(option: string, reason: string) {
    super('ERR_INVALID_OPTION', `Invalid option "${option}": ${reason}`);
    this.option = option;
    this.reason = reason;
  }
}

/**
 * The node's breaker is open (the node is ejected or still being probed): fail fast.
 * `retryAt` is when probing starts, or `undefined` while probes are running.
 *
 * @example
 * if (!health.admits()) throw new BreakerOpenError(health.node, health.retryAt);
 */
export class BreakerOpenError extends HealthError {
  declare readonly code: 'ERR_BREAKER_OPEN';
  readonly node: string;
  readonly retryAt: number | undefined;

  constructor(node: string, retryAt: number | undefined) {
    super('ERR_BREAKER_OPEN', `Node ${node} is not taking requests: its breaker is open`);
    this.node = node;
    this.retryAt = retryAt;
  }
}

/**
 * A retry was due but the retry budget (a share of recent requests plus a floor) is spent.
 * `cause` is the failure that would have been retried.
 *
 * @example
 * await policy.run('get', attempt).catch((err) => err.code === 'ERR_RETRY_BUDGET_EXHAUSTED');
 */
export class RetryBudgetExhaustedError extends HealthError {
  declare readonly code: 'ERR_RETRY_BUDGET_EXHAUSTED';

  constructor(cause: unknown) {
    super('ERR_RETRY_BUDGET_EXHAUSTED', 'Not retried: the retry budget is exhausted (too many retries among recent requests)', { cause });
  }
}

/**
 * One attempt (a request under a retry policy, or a probe) did not finish within its deadline.
 * The request may have reached the server: this failure is ambiguous.
 *
 * @example
 * new AttemptTimeoutError('cache-1:11211', 200).code; // 'ERR_ATTEMPT_TIMEOUT'
 */
export class AttemptTimeoutError extends HealthError {
  declare readonly code: 'ERR_ATTEMPT_TIMEOUT';
  readonly node: string | undefined;
  readonly timeoutMs: number;

  constructor(node: string | undefined, timeoutMs: number) {
    super('ERR_ATTEMPT_TIMEOUT', `${node === undefined ? 'Attempt' : `Attempt on node ${node}`} timed out after ${timeoutMs} ms`);
    this.node = node;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A registry was asked about a node id it does not hold, or to add one it already holds.
 *
 * @example
 * registry.get('nope'); // UnknownNodeError: ERR_UNKNOWN_NODE
 */
export class UnknownNodeError extends HealthError {
  declare readonly code: 'ERR_UNKNOWN_NODE';
  readonly node: string;

  constructor(node: string) {
    super('ERR_UNKNOWN_NODE', `Node ${node} is not in this registry`);
    this.node = node;
  }
}

/**
 * A registry already holds a node with this id.
 *
 * @example
 * registry.add('a'); registry.add('a'); // DuplicateNodeError: ERR_DUPLICATE_NODE
 */
export class DuplicateNodeError extends HealthError {
  declare readonly code: 'ERR_DUPLICATE_NODE';
  readonly node: string;

  constructor(node: string) {
    super('ERR_DUPLICATE_NODE', `Node ${node} is already in this registry`);
    this.node = node;
  }
}

/**
 * A snapshot given to `restore` is not one `toJSON()` produced; `field` names the bad part.
 *
 * @example
 * NodeHealth.restore({ version: 9 }); // InvalidSnapshotError: ERR_INVALID_SNAPSHOT
 */
export class InvalidSnapshotError extends HealthError {
  declare readonly code: 'ERR_INVALID_SNAPSHOT';
  readonly field: string;

  constructor(field: string, reason: string) {
    super('ERR_INVALID_SNAPSHOT', `Invalid snapshot field "${field}": ${reason}`);
    this.field = field;
  }
}

/**
 * The health object was closed or destroyed; it takes no further calls.
 *
 * @example
 * await registry.close(); registry.add('b'); // ClosedError: ERR_CLIENT_CLOSED
 */
export class ClosedError extends HealthError {
  declare readonly code: 'ERR_CLIENT_CLOSED';

  constructor(what: string) {
    super('ERR_CLIENT_CLOSED', `${what} is closed`);
  }
}
