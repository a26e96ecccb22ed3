/**
 * Every `code` a `ShardcacheError` can carry, one per class (as undici's errors module does): a
 * `switch (err.code)` is checked for exhaustiveness, and a typo in a comparison fails to compile.
 */
export type ShardcacheErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_CONNECTION'
  | 'ERR_SERVER'
  | 'ERR_UNSUPPORTED'
  | 'ERR_CLIENT_CLOSED'
  | 'ERR_INVALID_KEY'
  | 'ERR_INVALID_TTL'
  | 'ERR_INVALID_VALUE'
  | 'ERR_VALUE_TOO_LARGE'
  | 'ERR_DECODE'
  | 'ERR_TIMEOUT'
  | 'ERR_OVERLOADED'
  | 'ERR_NODE_UNAVAILABLE'
  | 'ERR_BREAKER_OPEN'
  | 'ERR_PARTIAL_FAILURE'
  | 'ERR_MEMBERSHIP_UNAVAILABLE'
  | 'ERR_MEMBERSHIP_MALFORMED'
  | 'ERR_MEMBERSHIP_CONFLICT'
  | 'ERR_UNKNOWN';

/**
 * Every error `@shardcache/client` throws has a stable `code`; match on `code`, never on the
 * message. Messages never contain credentials or values.
 *
 * @example
 * try { await client.get('user:1') } catch (err) {
 *   if (err instanceof ShardcacheError && err.code === 'ERR_TIMEOUT') { ... }
 * }
 */
export class ShardcacheError extends Error {
  readonly code: ShardcacheErrorCode;

  constructor(code: ShardcacheErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An option is missing, mistyped or out of range; `option` names it. */
export class InvalidOptionError extends ShardcacheError {
  declare readonly code: 'ERR_INVALID_OPTION';
  readonly option: string;

  constructor(option: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_OPTION', `Invalid option "${option}": ${reason}`, options);
    this.option = option;
  }
}

/**
 * An argument of a call is out of range; `argument` names it. A programmer error: nothing was
 * sent, and retrying cannot help.
 *
 * @example
 * await client.incr('hits', -1); // InvalidArgumentError: ERR_INVALID_ARGUMENT, argument 'delta'
 */
export class InvalidArgumentError extends ShardcacheError {
  declare readonly code: 'ERR_INVALID_ARGUMENT';
  readonly argument: string;

  constructor(argument: string, reason: string) {
    super('ERR_INVALID_ARGUMENT', `Invalid argument "${argument}": ${reason}`);
    this.argument = argument;
  }
}

/** The node could not be reached: refused, reset, closed, or not connected yet. */
export class ConnectionError extends ShardcacheError {
  declare readonly code: 'ERR_CONNECTION';
  readonly node: string;
  /**
   * The client dropped the connection because of a request, not the server (memcached may read
   * the value of a store it refused as a command): not a sign of ill health.
   */
  readonly byRequest: boolean;

  constructor(node: string, reason: string, options?: { cause?: unknown; byRequest?: boolean }) {
    super('ERR_CONNECTION', `Node ${node}: ${reason}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.node = node;
    this.byRequest = options?.byRequest ?? false;
  }
}

/** The server answered with an error; `reply` is its text (see `failureClass` for which ones mean the node is unwell). */
export class ServerError extends ShardcacheError {
  declare readonly code: 'ERR_SERVER';
  readonly node: string;
  readonly reply: string;

  constructor(node: string, reply: string, options?: { cause?: unknown }) {
    super('ERR_SERVER', `Node ${node} answered with an error: ${reply}`, options);
    this.node = node;
    this.reply = reply;
  }
}

/** The node does not support this call (see its `capabilities`). */
export class UnsupportedError extends ShardcacheError {
  declare readonly code: 'ERR_UNSUPPORTED';
  readonly node: string;

  constructor(node: string, call: string, why: string) {
    super('ERR_UNSUPPORTED', `Node ${node} does not support ${call}: ${why}`);
    this.node = node;
  }
}

/** The node or client was closed; no further calls are accepted. */
export class ClosedError extends ShardcacheError {
  declare readonly code: 'ERR_CLIENT_CLOSED';

  constructor(what: string, options?: { cause?: unknown }) {
    super('ERR_CLIENT_CLOSED', `${what} is closed`, options);
  }
}

/** A key breaks the backend's rules (memcached: at most 250 bytes, no whitespace or control characters). */
export class InvalidKeyError extends ShardcacheError {
  declare readonly code: 'ERR_INVALID_KEY';

  constructor(reason: string) {
    super('ERR_INVALID_KEY', `Invalid key: ${reason}`);
  }
}

/** A TTL is not a positive whole number of seconds or 'never', or is longer than the server keeps (`reason` says). */
export class InvalidTtlError extends ShardcacheError {
  declare readonly code: 'ERR_INVALID_TTL';

  constructor(ttl: unknown, reason?: string) {
    super('ERR_INVALID_TTL', `Invalid TTL ${describe(ttl)}: ${reason ?? "expected a positive whole number of seconds, or 'never' for no expiry (0 is ambiguous across backends and is rejected)"}`);
  }
}

/**
 * A value the client's value mode cannot store (`values: 'plain'` takes strings, Buffers and
 * integers, and other types only through a `serializer`). Nothing was sent. `type` names what
 * was given; the value itself is never put in the message.
 */
export class InvalidValueError extends ShardcacheError {
  declare readonly code: 'ERR_INVALID_VALUE';
  readonly key: string;
  readonly type: string;

  constructor(key: string, type: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_VALUE', `Value for key "${key}" is ${type}: ${reason}`, options);
    this.key = key;
    this.type = type;
  }
}

/** A value is larger than the server accepts, after compression. */
export class ValueTooLargeError extends ShardcacheError {
  declare readonly code: 'ERR_VALUE_TOO_LARGE';
  /** Bytes after compression, and the limit, when the client knew them (not when the server refused). */
  readonly size: number | undefined;
  readonly limit: number | undefined;

  /** `source` says whose limit it is (the `maxValueBytes` option, or a node's server setting). */
  constructor(key: string, size: number, limit: number, source?: string);
  constructor(node: string, serverReply: string);
  constructor(where: string, sizeOrReply: number | string, limit?: number, source?: string) {
    super(
      'ERR_VALUE_TOO_LARGE',
      typeof sizeOrReply === 'number'
        ? `Value for key "${where}" is ${sizeOrReply} bytes after compression; the limit is ${String(limit)}${source === undefined ? '' : ` (${source})`}`
        : `Node ${where} refused a value as too large: ${sizeOrReply}`,
    );
    this.size = typeof sizeOrReply === 'number' ? sizeOrReply : undefined;
    this.limit = limit;
  }
}

/** A stored value could not be decoded (corrupt bytes, or a serializer that throws). */
export class DecodeError extends ShardcacheError {
  declare readonly code: 'ERR_DECODE';

  constructor(key: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_DECODE', `Value for key "${key}" could not be decoded: ${reason}`, options);
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** A call did not finish before its deadline. Only that call fails; the node carries on. */
export class TimeoutError extends ShardcacheError {
  declare readonly code: 'ERR_TIMEOUT';
  readonly node: string;
  readonly timeoutMs: number;

  constructor(node: string, command: string, timeoutMs: number) {
    super('ERR_TIMEOUT', `${command} on node ${node} did not finish within ${timeoutMs} ms`);
    this.node = node;
    this.timeoutMs = timeoutMs;
  }
}

/** The node already has `maxInFlight` calls outstanding: back off instead of queueing. */
export class OverloadedError extends ShardcacheError {
  declare readonly code: 'ERR_OVERLOADED';
  readonly node: string;

  constructor(node: string, limit: number) {
    super('ERR_OVERLOADED', `Node ${node} has ${limit} calls in flight (maxInFlight); retry later or raise the limit`);
    this.node = node;
  }
}

/** The key's node is out of the ring and the failover policy is `"fail"` (or no node is left). */
export class NodeUnavailableError extends ShardcacheError {
  declare readonly code: 'ERR_NODE_UNAVAILABLE';
  readonly node: string | undefined;

  constructor(node: string | undefined, reason: string) {
    super('ERR_NODE_UNAVAILABLE', node === undefined ? `No node is available: ${reason}` : `Node ${node} is unavailable: ${reason}`);
    this.node = node;
  }
}

/**
 * The node's health gate refused the call (its breaker is open: the node is ejected, or being
 * probed): nothing was sent. `cause` is the gate's own error (@shardcache/health's
 * `BreakerOpenError`); `retryAt` is when probing starts, when the gate said.
 *
 * @example
 * await client.flush().catch((err) => err instanceof BreakerOpenError && err.cause); // the health error
 */
export class BreakerOpenError extends ShardcacheError {
  declare readonly code: 'ERR_BREAKER_OPEN';
  readonly node: string;
  readonly retryAt: number | undefined;

  constructor(node: string, retryAt: number | undefined, options?: { cause?: unknown }) {
    super('ERR_BREAKER_OPEN', `Node ${node} is not taking requests: its breaker is open`, options);
    this.node = node;
    this.retryAt = retryAt;
  }
}

/** Some keys of a multi-key call failed; `failures` says which and why, `values` holds the rest. */
export class PartialFailureError extends ShardcacheError {
  declare readonly code: 'ERR_PARTIAL_FAILURE';
  readonly failures: readonly KeyFailure[];
  /** What the call would have returned: the values (or counts) of the keys that succeeded. */
  readonly partial: unknown;

  constructor(failures: readonly KeyFailure[], total: number, partial: unknown) {
    super('ERR_PARTIAL_FAILURE', `${failures.length} of ${total} keys failed (first: ${failures[0]?.error.code ?? 'none'})`);
    this.failures = failures;
    this.partial = partial;
  }
}

/** One key that failed in a multi-key call. */
export interface KeyFailure {
  readonly key: string;
  readonly error: ShardcacheError;
}

/** The membership service (etcd) could not be reached; `endpoints` says where it was looked for. */
export class MembershipUnavailableError extends ShardcacheError {
  declare readonly code: 'ERR_MEMBERSHIP_UNAVAILABLE';
  readonly endpoints: readonly string[];

  constructor(endpoints: readonly string[], reason: string, options?: { cause?: unknown }) {
    super('ERR_MEMBERSHIP_UNAVAILABLE', `Membership at ${endpoints.join(',')} is unreachable: ${reason}`, options);
    this.endpoints = endpoints;
  }
}

/** The stored node list is not one: `entry` names the bad part (`nodes[2]`, or the whole value). */
export class MembershipMalformedError extends ShardcacheError {
  declare readonly code: 'ERR_MEMBERSHIP_MALFORMED';
  readonly source: string;
  readonly epoch: number;
  readonly entry: string;

  constructor(source: string, epoch: number, entry: string, reason: string) {
    super('ERR_MEMBERSHIP_MALFORMED', `Membership ${source} at epoch ${epoch} was refused: ${entry}: ${reason}`);
    this.source = source;
    this.epoch = epoch;
    this.entry = entry;
  }
}

/** A compare-and-swap publish lost: the list changed since it was read (`expected` epoch, now `actual`). */
export class MembershipConflictError extends ShardcacheError {
  declare readonly code: 'ERR_MEMBERSHIP_CONFLICT';
  readonly expected: number;
  readonly actual: number;

  constructor(expected: number, actual: number) {
    super('ERR_MEMBERSHIP_CONFLICT', `Membership changed since it was read (epoch ${expected}, now ${actual}): read it again and retry`);
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * A failure the client did not make and cannot name (a custom node's throw without a
 * `ShardcacheError`, a caller's abort reason) where a `ShardcacheError` is promised: a multi-key
 * call's `failures`, `ping()`'s `down`, an `error` event. `cause` is what was thrown.
 *
 * @example
 * const { down } = await client.ping(); // down['a:11211'] may be an UnknownError whose cause is the thrown value
 */
export class UnknownError extends ShardcacheError {
  declare readonly code: 'ERR_UNKNOWN';

  constructor(cause: unknown) {
    super('ERR_UNKNOWN', cause instanceof Error ? cause.message : String(cause), { cause });
  }
}
