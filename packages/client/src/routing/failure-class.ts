import { ConnectionError, ServerError, ShardcacheError, type ShardcacheErrorCode } from '../errors.js';

/**
 * What a failed call says: `node`, the node is unwell (health counts it towards ejection), or
 * `request`, the node answered and only this request failed (it counts as an answer).
 */
export type FailureClass = 'node' | 'request';

/**
 * Every failure by code. Only node-level failures count: the node refused or reset the
 * connection, said nothing in time, broke the protocol, or refused us at connect (TLS, auth).
 */
const BY_CODE: Readonly<Partial<Record<ShardcacheErrorCode, FailureClass | 'by reply' | 'by cause'>>> = {
  ERR_CONNECTION: 'by cause',
  ERR_TIMEOUT: 'node',
  ERR_SERVER: 'by reply',
  ERR_VALUE_TOO_LARGE: 'request',
  ERR_INVALID_KEY: 'request',
  ERR_INVALID_TTL: 'request',
  ERR_INVALID_ARGUMENT: 'request',
  ERR_DECODE: 'request',
  ERR_INVALID_VALUE: 'request',
  ERR_UNSUPPORTED: 'request',
  ERR_CLIENT_CLOSED: 'request',
};

/**
 * Server replies that mean the node cannot serve whatever is asked (redis: still loading its
 * data, busy in a script, persistence failing, a replica, credentials refused). Every other
 * reply is about the request: WRONGTYPE, OOM (maxmemory with noeviction), NOSCRIPT, a value
 * that is not an integer, memcached's CLIENT_ERROR and SERVER_ERROR out of memory.
 */
const NODE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|MISCONF|READONLY|NOAUTH|WRONGPASS)\b/;

/** The class of a failed call's error (unknown errors from custom nodes count against the node, as before). */
export function failureClass(error: unknown): FailureClass {
  if (!(error instanceof ShardcacheError)) return isProgrammerError(error) ? 'request' : 'node';
  const rule = BY_CODE[error.code] ?? 'node';
  if (rule === 'by reply') return error instanceof ServerError && NODE_REPLIES.test(error.reply) ? 'node' : 'request';
  if (rule === 'by cause') return error instanceof ConnectionError && error.byRequest ? 'request' : 'node';
  return rule;
}

/**
 * The client's health error filter: true for a failure that is about the request, not the node.
 * A `health.errorFilter` option replaces it; call this from yours to extend it.
 *
 * @example
 * new ShardedClient({ backend: 'redis', nodes, health: { errorFilter: (error) => isRequestError(error) || isMine(error) } });
 */
export function isRequestError(error: unknown): boolean {
  return failureClass(error) === 'request';
}

function isProgrammerError(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError || error instanceof ReferenceError;
}
