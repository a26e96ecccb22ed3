import { readU32LE, rotl } from '../internal/bytes.js';
import { encodeUtf8Into, utf8Scratch } from '../internal/utf8.js';

const C1 = 0xcc9e2d51 | 0;
const C2 = 0x1b873593;

function mixBlock(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = rotl(k, 15);
  k = Math.imul(k, C2);
  h ^= k;
  h = rotl(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function mixTail(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = rotl(k, 15);
  k = Math.imul(k, C2);
  return h ^ k;
}

/** The final mix; returns int32 bits so hot callers never box the result as a heap number. */
function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * MurmurHash3 x86_32 (seed 0 unless given) over `bytes[start, end)`: the native rings' key hash.
 *
 * @example
 * murmur3(new TextEncoder().encode('hello'), 0, 5); // 0x248bfa47
 */
export function murmur3(bytes: Uint8Array, start: number, end: number, seed = 0): number {
  return murmur3Resume(seed | 0, bytes, start, end, end - start);
}

/**
 * The state after the whole 4-byte blocks of `bytes[start, end)` (`end - start` a multiple of 4),
 * from state `h`: a prefix shared by many inputs is mixed once (ketama's point labels).
 */
export function murmur3Blocks(h: number, bytes: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i += 4) h = mixBlock(h, readU32LE(bytes, i));
  return h;
}

/**
 * Finishes a hash from the state `h` left by `murmur3Blocks` over the input's first blocks:
 * `bytes[start, end)` is the rest of the input, `length` the whole input's length.
 */
export function murmur3Resume(h: number, bytes: Uint8Array, start: number, end: number, length: number): number {
  let i = start;
  for (; end - i >= 4; i += 4) h = mixBlock(h, readU32LE(bytes, i));
  const rest = end - i;
  if (rest > 0) {
    let k = bytes[i] ?? 0;
    if (rest >= 2) k |= (bytes[i + 1] ?? 0) << 8;
    if (rest === 3) k |= (bytes[i + 2] ?? 0) << 16;
    h = mixTail(h, k);
  }
  return finish(h, length) >>> 0;
}

function murmur3Utf8(key: string): number {
  const buf = utf8Scratch(key.length * 3);
  return murmur3(buf, 0, encodeUtf8Into(key, buf)) | 0;
}

/**
 * MurmurHash3 x86_32 (seed 0) of a string's UTF-8 bytes without encoding it, as int32 bits
 * (`>>> 0` for the unsigned value): ASCII strings are hashed straight from their char codes (no
 * allocation, the lookup hot path); any other string is encoded into a reused scratch buffer.
 *
 * @example
 * murmur3String('hello') >>> 0 === murmur3(new TextEncoder().encode('hello'), 0, 5); // true
 */
export function murmur3String(key: string): number {
  const length = key.length;
  let h = 0;
  let i = 0;
  for (; length - i >= 4; i += 4) {
    const c0 = key.charCodeAt(i);
    const c1 = key.charCodeAt(i + 1);
    const c2 = key.charCodeAt(i + 2);
    const c3 = key.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) > 0x7f) return murmur3Utf8(key);
    h = mixBlock(h, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
  }
  const rest = length - i;
  if (rest > 0) {
    const c0 = key.charCodeAt(i);
    const c1 = rest >= 2 ? key.charCodeAt(i + 1) : 0;
    const c2 = rest === 3 ? key.charCodeAt(i + 2) : 0;
    if ((c0 | c1 | c2) > 0x7f) return murmur3Utf8(key);
    h = mixTail(h, c0 | (c1 << 8) | (c2 << 16));
  }
  return finish(h, length);
}
