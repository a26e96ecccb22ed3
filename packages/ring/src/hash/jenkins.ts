import { readU32LE, rotl } from '../internal/bytes.js';

const INITVAL = 13;

/** Little-endian word at `base + offset` of a `length`-byte tail, zero past the end. */
function tailWord(bytes: Uint8Array, base: number, length: number, offset: number): number {
  let word = 0;
  for (let j = 3; j >= 0; j--) word = (word << 8) | (offset + j < length ? (bytes[base + offset + j] ?? 0) : 0);
  return word;
}

/**
 * Bob Jenkins' lookup3 `hashlittle` with initval 13 (twemproxy and libmemcached `jenkins`). On
 * little-endian machines the C code's aligned and unaligned paths agree with this byte-wise one.
 *
 * @example
 * jenkins(new TextEncoder().encode('key'), 0, 3);
 */
export function jenkins(bytes: Uint8Array, start: number, end: number): number {
  let length = end - start;
  let a = (0xdeadbeef + length + INITVAL) | 0;
  let b = a;
  let c = a;
  let i = start;
  while (length > 12) {
    a = (a + readU32LE(bytes, i)) | 0;
    b = (b + readU32LE(bytes, i + 4)) | 0;
    c = (c + readU32LE(bytes, i + 8)) | 0;
    a = (a - c) | 0; a ^= rotl(c, 4); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rotl(a, 6); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rotl(b, 8); b = (b + a) | 0;
    a = (a - c) | 0; a ^= rotl(c, 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rotl(a, 19); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rotl(b, 4); b = (b + a) | 0;
    length -= 12;
    i += 12;
  }
  if (length === 0) return c >>> 0; // only for empty input: lookup3 skips the final mix
  // The last 1..12 bytes, zero-padded, as the C switch's fall-through adds them.
  a = (a + tailWord(bytes, i, length, 0)) | 0;
  b = (b + tailWord(bytes, i, length, 4)) | 0;
  c = (c + tailWord(bytes, i, length, 8)) | 0;
  c ^= b; c = (c - rotl(b, 14)) | 0;
  a ^= c; a = (a - rotl(c, 11)) | 0;
  b ^= a; b = (b - rotl(a, 25)) | 0;
  c ^= b; c = (c - rotl(b, 16)) | 0;
  a ^= c; a = (a - rotl(c, 4)) | 0;
  b ^= a; b = (b - rotl(a, 14)) | 0;
  c ^= b; c = (c - rotl(b, 24)) | 0;
  return c >>> 0;
}
