import { UnknownHashError } from './errors.js';
import { crc16 } from './hash/crc16.js';
import { crc32, crc32a } from './hash/crc32.js';
import { fnv1_32, fnv1_64, fnv1a_32, fnv1a_64 } from './hash/fnv.js';
import { hsieh } from './hash/hsieh.js';
import { jenkins } from './hash/jenkins.js';
import { md5 } from './hash/md5.js';
import { murmur } from './hash/murmur.js';
import { murmur3 } from './hash/murmur3.js';
import { oneAtATime } from './hash/one-at-a-time.js';
import type { ByteHash } from './internal/bytes.js';
import { encodeUtf8Into, utf8Scratch } from './internal/utf8.js';
import type { Key } from './ring.js';

/**
 * The key hashes this package implements: twemproxy's names, plus `murmur3` (the native rings').
 *
 * @example
 * const name: HashName = 'fnv1a_64';
 */
export type HashName =
  | 'one_at_a_time'
  | 'md5'
  | 'crc16'
  | 'crc32'
  | 'crc32a'
  | 'fnv1_64'
  | 'fnv1a_64'
  | 'fnv1_32'
  | 'fnv1a_32'
  | 'hsieh'
  | 'murmur'
  | 'jenkins'
  | 'murmur3';

const BYTE_HASHES: Readonly<Record<HashName, ByteHash>> = {
  one_at_a_time: oneAtATime,
  md5,
  crc16,
  crc32,
  crc32a,
  fnv1_64,
  fnv1a_64,
  fnv1_32,
  fnv1a_32,
  hsieh,
  murmur,
  jenkins,
  murmur3: (bytes, start, end) => murmur3(bytes, start, end),
};

/**
 * Every hash name `hashKey` accepts, in a stable order.
 *
 * @example
 * hashNames.includes('md5'); // true
 */
export const hashNames: readonly HashName[] = Object.freeze(Object.keys(BYTE_HASHES) as HashName[]);

/** Narrows an untrusted hash name, or throws ERR_UNKNOWN_HASH naming the option. */
export function byteHashNamed(name: unknown, option = 'hash'): ByteHash {
  if (typeof name === 'string' && Object.hasOwn(BYTE_HASHES, name)) return BYTE_HASHES[name as HashName];
  throw new UnknownHashError(name, hashNames, option);
}

/** Key hashes lie in [0, range): 2^32, except libmemcached's 15-bit `crc32`. */
export function hashRange(name: HashName): number {
  return name === 'crc32' ? 2 ** 15 : 2 ** 32;
}

/**
 * A key's 32-bit hash (as an unsigned number) under one of the named hashes. Strings are hashed
 * as their UTF-8 bytes; no hash tag is applied and the empty key is not special-cased.
 *
 * @example
 * hashKey('fnv1a_32', 'a'); // 0xe40c292c
 * hashKey('md5', new Uint8Array([0x61]));
 */
export function hashKey(name: HashName, key: Key): number {
  const hash = byteHashNamed(name);
  if (typeof key !== 'string') return hash(key, 0, key.length);
  const buf = utf8Scratch(key.length * 3);
  return hash(buf, 0, encodeUtf8Into(key, buf));
}
