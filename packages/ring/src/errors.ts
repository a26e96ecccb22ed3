/**
 * Every `code` a `RingError` can carry, one per class (undici's errors module does the same):
 * `switch (err.code)` is checked for exhaustiveness, and a typo in a comparison fails to compile.
 */
export type RingErrorCode =
  | 'ERR_RING_EMPTY'
  | 'ERR_DUPLICATE_NODE'
  | 'ERR_INVALID_WEIGHT'
  | 'ERR_UNKNOWN_HASH'
  | 'ERR_UNKNOWN_DISTRIBUTION'
  | 'ERR_INVALID_SERVER'
  | 'ERR_INVALID_CONFIG'
  | 'ERR_UNKNOWN_NODE'
  | 'ERR_INVALID_KEY'
  | 'ERR_UNSUPPORTED';

/**
 * Every error this package throws is a `RingError` with a stable `code`; match on `code`, never on
 * the message. All of them are programmer or configuration errors: retrying cannot help.
 *
 * @example
 * try { ketamaRing([]); } catch (err) {
 *   if (err instanceof RingError && err.code === 'ERR_RING_EMPTY') console.error(err.message);
 * }
 */
export class RingError extends Error {
  readonly code: RingErrorCode;

  constructor(code: RingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A ring needs at least one node: empty rings cannot be built, and removing the last node fails.
 *
 * @example
 * ketamaRing(['a']).withoutNode('a'); // throws RingEmptyError (ERR_RING_EMPTY)
 */
export class RingEmptyError extends RingError {
  declare readonly code: 'ERR_RING_EMPTY';

  constructor(message = 'A ring needs at least one node') {
    super('ERR_RING_EMPTY', message);
  }
}

/**
 * Two nodes share an id (or, in a twemproxy pool, a name): placement would be ambiguous.
 *
 * @example
 * ketamaRing(['a', 'a']); // throws DuplicateNodeError (ERR_DUPLICATE_NODE)
 */
export class DuplicateNodeError extends RingError {
  declare readonly code: 'ERR_DUPLICATE_NODE';
  readonly id: string;

  constructor(id: string, what = 'id') {
    super('ERR_DUPLICATE_NODE', `Duplicate node ${what} "${id}"`);
    this.id = id;
  }
}

/**
 * A weight is not a finite number > 0 (or not an integer where the algorithm counts slots).
 *
 * @example
 * ketamaRing([{ id: 'a', weight: 0 }]); // throws InvalidWeightError (ERR_INVALID_WEIGHT)
 */
export class InvalidWeightError extends RingError {
  declare readonly code: 'ERR_INVALID_WEIGHT';
  readonly id: string;

  constructor(id: string, weight: unknown, reason = 'must be a finite number > 0') {
    super('ERR_INVALID_WEIGHT', `Invalid weight ${String(weight)} for node "${id}": ${reason}`);
    this.id = id;
  }
}

/**
 * A hash name is not one this package (or the emulated software) implements.
 *
 * @example
 * hashKey('sha1' as HashName, 'k'); // throws UnknownHashError (ERR_UNKNOWN_HASH)
 */
export class UnknownHashError extends RingError {
  declare readonly code: 'ERR_UNKNOWN_HASH';

  constructor(hash: unknown, known: readonly string[], option = 'hash') {
    super('ERR_UNKNOWN_HASH', `Unknown ${option} ${JSON.stringify(hash)}; expected one of ${known.join(', ')}`);
  }
}

/**
 * A distribution name is not one the emulated software implements deterministically.
 *
 * @example
 * libmemcachedRing({ servers: ['a:1'], distribution: 'ring' }); // throws ERR_UNKNOWN_DISTRIBUTION
 */
export class UnknownDistributionError extends RingError {
  declare readonly code: 'ERR_UNKNOWN_DISTRIBUTION';

  constructor(distribution: unknown, known: readonly string[]) {
    super(
      'ERR_UNKNOWN_DISTRIBUTION',
      `Unknown distribution ${JSON.stringify(distribution)}; expected one of ${known.join(', ')}`,
    );
  }
}

/**
 * A server line is malformed (`"host:port:weight [name]"` expected), or its port is out of range.
 *
 * @example
 * twemproxyRing({ servers: ['127.0.0.1:11211'] }); // throws InvalidServerError: no weight
 */
export class InvalidServerError extends RingError {
  declare readonly code: 'ERR_INVALID_SERVER';
  readonly server: string;

  constructor(server: string, reason: string) {
    super('ERR_INVALID_SERVER', `Invalid server ${JSON.stringify(server)}: ${reason}`);
    this.server = server;
  }
}

/**
 * An option or configuration value has the wrong type or range, or a YAML file does not parse.
 *
 * @example
 * ketamaRing(['a'], { pointsPerWeight: -1 }); // throws InvalidConfigError (ERR_INVALID_CONFIG)
 */
export class InvalidConfigError extends RingError {
  declare readonly code: 'ERR_INVALID_CONFIG';
  readonly option: string;

  constructor(option: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_CONFIG', `Invalid ${option}: ${reason}`, options);
    this.option = option;
  }
}

/**
 * An id passed to `withoutNode`, `withWeights` or `shareOf`-style calls is not in the ring.
 *
 * @example
 * ketamaRing(['a']).withoutNode('b'); // throws UnknownNodeError (ERR_UNKNOWN_NODE)
 */
export class UnknownNodeError extends RingError {
  declare readonly code: 'ERR_UNKNOWN_NODE';
  readonly id: string;

  constructor(id: string) {
    super('ERR_UNKNOWN_NODE', `Unknown node "${id}"`);
    this.id = id;
  }
}

/**
 * A key is neither a string nor a Uint8Array, or `locateN` was asked for a bad count.
 *
 * @example
 * ring.locate(42 as unknown as string); // throws InvalidKeyError (ERR_INVALID_KEY)
 */
export class InvalidKeyError extends RingError {
  declare readonly code: 'ERR_INVALID_KEY';

  constructor(reason: string) {
    super('ERR_INVALID_KEY', reason);
  }
}

/**
 * The request is valid but not supported: a random distribution, an exact diff between rings
 * that hash keys differently (or that has no closed form), or removing a jump bucket other than
 * the last.
 *
 * @example
 * twemproxyRing({ servers: ['a:1:1'], distribution: 'random' }); // throws ERR_UNSUPPORTED
 * jumpRing(['a', 'b', 'c']).withoutNode('b');                      // throws ERR_UNSUPPORTED
 */
export class UnsupportedError extends RingError {
  declare readonly code: 'ERR_UNSUPPORTED';

  constructor(message: string) {
    super('ERR_UNSUPPORTED', message);
  }
}
