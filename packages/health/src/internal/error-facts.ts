// Everything this package concludes from an error it did not create. Errors come from drivers,
// probes and callers' code as `unknown`; this is the one place that narrows them.

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ERR_TIMEOUT', 'ERR_ATTEMPT_TIMEOUT', 'ESOCKETTIMEDOUT']);

// The request never left this process (or was refused before the server read it): retrying
// cannot apply a command twice.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ERR_BREAKER_OPEN',
  'ERR_NODE_UNAVAILABLE',
]);

// Cache semantics in the protocols' own words: the node answered correctly, so they are no
// sign of ill health (the default `errorFilter`). A client's own codes are its business: it
// passes its own `errorFilter` (@shardcache/client classifies every reply in one table).
const CACHE_SEMANTIC_CODES = new Set(['NOT_STORED', 'EXISTS', 'NOT_FOUND']);

// Never retried: the same input fails the same way.
const PERMANENT_CODES = new Set([
  ...CACHE_SEMANTIC_CODES,
  'ERR_INVALID_KEY',
  'ERR_INVALID_TTL',
  'ERR_VALUE_TOO_LARGE',
  'ERR_DECODE',
  'ERR_UNSUPPORTED',
  'ERR_INVALID_OPTION',
  'ERR_CLIENT_CLOSED',
  'ERR_BREAKER_OPEN',
  'ERR_RETRY_BUDGET_EXHAUSTED',
]);

function property(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

export function isTimeout(error: unknown): boolean {
  const code = property(error, 'code');
  return (typeof code === 'string' && TIMEOUT_CODES.has(code)) || property(error, 'name') === 'TimeoutError';
}

export function isCacheSemantic(error: unknown): boolean {
  const code = property(error, 'code');
  return typeof code === 'string' && CACHE_SEMANTIC_CODES.has(code);
}

/** Bugs in the caller's code, and errors marked `retryable: false`. */
export function isProgrammerError(error: unknown): boolean {
  return (
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof ReferenceError ||
    error instanceof SyntaxError ||
    error instanceof EvalError ||
    error instanceof URIError
  );
}

export function isNeverRetried(error: unknown): boolean {
  if (isProgrammerError(error) || property(error, 'retryable') === false) return true;
  const code = property(error, 'code');
  return typeof code === 'string' && PERMANENT_CODES.has(code);
}

/**
 * True when the request may have reached the server, so a command that is not idempotent may
 * already have been applied. Unknown errors count as ambiguous: assuming "not sent" could apply
 * an `incr` twice; assuming "sent" only costs a retry.
 */
export function isAmbiguous(error: unknown): boolean {
  if (property(error, 'sent') === false) return false;
  const code = property(error, 'code');
  return !(typeof code === 'string' && NOT_SENT_CODES.has(code));
}
