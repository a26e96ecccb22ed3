/**
 * The code a scenario report keys a failed call by: its `code` when that is a non-empty string,
 * else its `name`, else `'ERR_UNKNOWN'`. Never undefined, so every failure is counted somewhere.
 *
 * The same rule, and the same single fallback, as `errorCode` of @shardcache/health (which keys
 * the client's stats), so a report's `errorsByCode` and `client.stats` agree. This package
 * imports none of ours (it drives any client), hence its own copy: a value without a code is
 * nearly always a built-in (`TypeError`, `AbortError`) whose `name` is stable and says more than
 * "unknown"; only a value with neither (a thrown string) gets `ERR_UNKNOWN`, spelled like a code.
 *
 * @example
 * errorCode(Object.assign(new Error('x'), { code: 'ERR_TIMEOUT' })); // 'ERR_TIMEOUT'
 * errorCode(new TypeError('x'));                                     // 'TypeError'
 * errorCode('boom');                                                 // 'ERR_UNKNOWN'
 */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && code !== '') return code;
    if (typeof name === 'string' && name !== '') return name;
  }
  return 'ERR_UNKNOWN';
}
