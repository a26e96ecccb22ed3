/**
 * Every `code` a `ChaosError` can carry, one per class (as undici's errors module does): a
 * `switch (err.code)` is checked for exhaustiveness, and a typo in a comparison fails to compile.
 */
export type ChaosErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_SERVER_START'
  | 'ERR_SERVER_NOT_INSTALLED'
  | 'ERR_FAULT_NOT_APPLICABLE'
  | 'ERR_NODE_STOPPED'
  | 'ERR_CALL_TIMEOUT'
  | 'ERR_RUNTIME_UNAVAILABLE';

/**
 * Every error this package throws has a stable `code`; match on `code`, never on the message.
 *
 * @example
 * try { await startFleet({ memcached: 3 }) } catch (err) {
 *   if (err instanceof ChaosError && err.code === 'ERR_SERVER_START') console.error(err.message);
 * }
 */
export class ChaosError extends Error {
  readonly code: ChaosErrorCode;

  constructor(code: ChaosErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An option passed to a fleet factory is missing, of the wrong type or out of range. */
export class InvalidOptionError extends ChaosError {
  declare readonly code: 'ERR_INVALID_OPTION';
  readonly option: string;

  constructor(option: string, reason: string) {
    super('ERR_INVALID_OPTION', `Invalid option "${option}": ${reason}`);
    this.option = option;
  }
}

/** A server process could not be started, or did not answer before its start timeout. */
export class ServerStartError extends ChaosError {
  declare readonly code: 'ERR_SERVER_START';

  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_SERVER_START', message, options);
  }
}

/** The binary for a server kind is not installed (run `npm run setup`). */
export class ServerNotInstalledError extends ChaosError {
  declare readonly code: 'ERR_SERVER_NOT_INSTALLED';

  constructor(binary: string) {
    super(
      'ERR_SERVER_NOT_INSTALLED',
      `"${binary}" was not found on PATH. Run \`npm run setup\` or install it with your package manager.`,
    );
  }
}

/** A fault was applied to a node that cannot take it (a network fault on a node without a proxy). */
export class FaultNotApplicableError extends ChaosError {
  declare readonly code: 'ERR_FAULT_NOT_APPLICABLE';
  readonly node: string;

  constructor(node: string, reason: string) {
    super('ERR_FAULT_NOT_APPLICABLE', `Fault cannot be applied to ${node}: ${reason}`);
    this.node = node;
  }
}

/** A fleet node was used after `stop()` (or the fleet's `stop()`). */
export class NodeStoppedError extends ChaosError {
  declare readonly code: 'ERR_NODE_STOPPED';
  readonly node: string;

  constructor(node: string) {
    super('ERR_NODE_STOPPED', `${node} was stopped; start a new fleet instead`);
    this.node = node;
  }
}

/** A scenario's target call did not settle within `callTimeoutMs` (counted in the report, never thrown to callers). */
export class CallTimeoutError extends ChaosError {
  declare readonly code: 'ERR_CALL_TIMEOUT';

  constructor(timeoutMs: number) {
    super('ERR_CALL_TIMEOUT', `the target call did not settle within ${timeoutMs} ms`);
  }
}

/** The container runtime could not start (no engine, or testcontainers is not installed). */
export class RuntimeUnavailableError extends ChaosError {
  declare readonly code: 'ERR_RUNTIME_UNAVAILABLE';

  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_RUNTIME_UNAVAILABLE', message, options);
  }
}
