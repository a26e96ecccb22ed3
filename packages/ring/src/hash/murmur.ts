import { readU32LE } from '../internal/bytes.js';

const M = 0x5bd1e995;

/**
 * twemproxy's and libmemcached's `murmur`: MurmurHash2 (32-bit) seeded with `0xdeadbeef * length`.
 *
 * @example
 * murmur(new TextEncoder().encode('key'), 0, 3);
 */
export function murmur(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  let h = Math.imul(0xdeadbeef, length) ^ length;
  let i = start;
  for (; end - i >= 4; i += 4) {
    let k = readU32LE(bytes, i);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = end - i;
  if (rest > 0) {
    if (rest === 3) h ^= (bytes[i + 2] ?? 0) << 16;
    if (rest >= 2) h ^= (bytes[i + 1] ?? 0) << 8;
    h ^= bytes[i] ?? 0;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h >>> 0;
}
