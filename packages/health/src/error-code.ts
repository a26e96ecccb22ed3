/**
 * The code that counts and reports key an error by: its `code` when that is a non-empty string
 * (every error of ours, and Node's `ECONNRESET`-style system errors), else its `name`, else
 * `'ERR_UNKNOWN'`. Never undefined, so a count always has a key.
 *
 * One fallback for every package (the client's stats, health's `lastErrorCode`, chaos reports and
 * the CLI all key errors this way): a thrown value without a code is nearly always a built-in
 * (`TypeError` from a serializer, `AbortError` from a caller's signal), whose `name` is stable and
 * says more than a blanket "unknown"; only a value with neither (a thrown string, `undefined`)
 * gets `ERR_UNKNOWN`, spelled like the codes it is counted beside.
 *
 * @example
 * errorCode(new BreakerOpenError('a', undefined)); // 'ERR_BREAKER_OPEN'
 * errorCode(new TypeError('x'));                    // 'TypeError'
 * errorCode('boom');                                // 'ERR_UNKNOWN'
 */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && code !== '') return code;
    if (typeof name === 'string' && name !== '') return name;
  }
  return 'ERR_UNKNOWN';
}
