import { InvalidConfigError, RingEmptyError, UnknownDistributionError, UnknownHashError, UnsupportedError } from '../errors.js';
import type { HashName } from '../hash-key.js';
import { utf8Bytes } from './utf8.js';

/**
 * One pool of a nutcracker YAML file, as written there. Only `servers` is required; absent keys
 * take twemproxy's defaults (`hash: fnv1a_64`, `distribution: ketama`, no `hash_tag`). Other
 * directives (`listen`, `redis`, `timeout`, ...) are kept as given and do not affect placement.
 *
 * @example
 * const pool: TwemproxyPool = { servers: ['10.0.0.1:11211:1', '10.0.0.2:11211:1 cache-b'], hash: 'md5' };
 */
export interface TwemproxyPool {
  readonly servers: readonly string[];
  readonly hash?: string;
  readonly distribution?: string;
  readonly hash_tag?: string;
  readonly [directive: string]: unknown;
}

// twemproxy 0.5.0's conf_commands: any other key makes nutcracker refuse the file.
const DIRECTIVE_LIST = [
  'listen', 'hash', 'hash_tag', 'distribution', 'timeout', 'backlog', 'client_connections', 'redis',
  'tcpkeepalive', 'redis_auth', 'redis_db', 'preconnect', 'auto_eject_hosts', 'server_connections',
  'server_retry_timeout', 'server_failure_limit', 'servers',
] as const;

/** A key of a nutcracker pool (twemproxy 0.5.0's directives). */
export type TwemproxyDirective = (typeof DIRECTIVE_LIST)[number];

const DIRECTIVES = new Set<string>(DIRECTIVE_LIST);

export const TWEMPROXY_HASHES: readonly HashName[] = [
  'one_at_a_time', 'md5', 'crc16', 'crc32', 'crc32a', 'fnv1_64', 'fnv1a_64', 'fnv1_32', 'fnv1a_32', 'hsieh', 'murmur', 'jenkins',
];

/** A pool narrowed for placement: which hash, which distribution, which tag bytes. */
export interface PoolPlacement {
  readonly pool: TwemproxyPool;
  readonly hash: HashName;
  readonly distribution: 'ketama' | 'modula';
  readonly hashTag: Uint8Array | undefined;
}

/** The one place an untrusted pool object is narrowed; `where` names it in error messages. */
export function narrowTwemproxyPool(value: unknown, where = 'pool'): PoolPlacement {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidConfigError(where, 'expected a mapping of twemproxy directives');
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!DIRECTIVES.has(key)) throw new InvalidConfigError(`${where}.${key}`, 'unknown twemproxy directive');
  }
  const servers = record['servers'];
  if (!Array.isArray(servers) || !servers.every((s): s is string => typeof s === 'string')) {
    throw new InvalidConfigError(`${where}.servers`, 'expected a list of "host:port:weight [name]" strings');
  }
  if (servers.length === 0) throw new RingEmptyError(`${where}.servers is empty: a pool needs at least one server`);
  const hash = record['hash'] ?? 'fnv1a_64';
  if (typeof hash !== 'string' || !TWEMPROXY_HASHES.includes(hash as HashName)) {
    throw new UnknownHashError(hash, TWEMPROXY_HASHES, `${where}.hash`);
  }
  const distribution = record['distribution'] ?? 'ketama';
  if (distribution === 'random') {
    throw new UnsupportedError(`${where}.distribution "random" places each request at random; there is nothing to compute`);
  }
  if (distribution !== 'ketama' && distribution !== 'modula') {
    throw new UnknownDistributionError(distribution, ['ketama', 'modula', 'random']);
  }
  const tag = record['hash_tag'];
  let hashTag: Uint8Array | undefined;
  if (tag !== undefined) {
    hashTag = typeof tag === 'string' ? utf8Bytes(tag) : undefined;
    if (hashTag?.length !== 2) {
      throw new InvalidConfigError(`${where}.hash_tag`, `expected a string of two bytes such as "{}", got ${JSON.stringify(tag)}`);
    }
  }
  return { pool: record as TwemproxyPool, hash: hash as HashName, distribution, hashTag };
}
