// Commands that may safely run twice. A retry after an ambiguous failure (a timeout after the
// request was sent) can apply a command twice: `set k v` twice leaves the same state, `incr k`
// twice does not. Anything not listed here counts as not idempotent.
const IDEMPOTENT = [
  // memcached
  'get', 'gets', 'gat', 'gats', 'mget', 'set', 'replace', 'delete', 'touch', 'version', 'stats',
  // redis
  'ping', 'exists', 'ttl', 'pttl', 'type', 'strlen', 'getrange', 'mset', 'setex', 'psetex', 'del', 'unlink',
  'expire', 'pexpire', 'expireat', 'pexpireat', 'persist', 'hget', 'hmget', 'hgetall', 'hset', 'hmset', 'hdel',
  'hexists', 'hkeys', 'hvals', 'hlen', 'sadd', 'srem', 'smembers', 'sismember', 'scard', 'zadd', 'zrem', 'zscore',
  'zrange', 'zcard', 'lrange', 'llen', 'lindex', 'lset', 'scan', 'keys', 'pfadd', 'pfcount',
] as const;

// Listed for documentation and tests: each changes state relative to what is there, or only
// succeeds once.
const NOT_IDEMPOTENT = [
  // memcached
  'incr', 'decr', 'add', 'cas', 'append', 'prepend',
  // redis
  'incrby', 'decrby', 'incrbyfloat', 'hincrby', 'hincrbyfloat', 'zincrby', 'setnx', 'hsetnx', 'msetnx',
  'getset', 'getdel', 'lpush', 'rpush', 'lpop', 'rpop', 'spop', 'lmove', 'rpoplpush', 'xadd', 'publish', 'eval', 'evalsha',
] as const;

const idempotent: ReadonlySet<string> = new Set(IDEMPOTENT);

/**
 * The commands known to be idempotent (lower case).
 *
 * @example
 * IDEMPOTENT_COMMANDS.includes('set'); // true
 */
export const IDEMPOTENT_COMMANDS: readonly string[] = Object.freeze([...IDEMPOTENT]);
/**
 * Commands known not to be idempotent (lower case); unknown commands are treated the same way.
 *
 * @example
 * NON_IDEMPOTENT_COMMANDS.includes('incr'); // true
 */
export const NON_IDEMPOTENT_COMMANDS: readonly string[] = Object.freeze([...NOT_IDEMPOTENT]);

/**
 * True when running `command` twice leaves the same result as running it once. Case-insensitive;
 * an unknown command is not idempotent (the safe answer).
 *
 * @example
 * isIdempotent('SET'); // true
 * isIdempotent('incr'); // false
 */
export function isIdempotent(command: string): boolean {
  return idempotent.has(command.toLowerCase());
}
