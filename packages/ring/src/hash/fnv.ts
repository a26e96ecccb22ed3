import { signedByte } from '../internal/bytes.js';

// twemproxy and libmemcached read key bytes as signed `char` in every FNV variant, and their
// "64-bit" variants return only the low 32 bits. The low 32 bits of a 64-bit product depend only
// on the low 32 bits of its factors, so both 64-bit variants run exactly in 32-bit arithmetic
// with the low halves of the 64-bit offset basis (0x84222325) and prime (0x1b3).
const FNV64_INIT_LOW = 0x84222325 | 0;
const FNV64_PRIME_LOW = 0x1b3;
const FNV32_INIT = 0x811c9dc5 | 0;
const FNV32_PRIME = 0x01000193;

/**
 * FNV-1 64-bit, truncated to its low 32 bits (twemproxy/libmemcached `fnv1_64`).
 *
 * @example
 * fnv1_64(new Uint8Array(0), 0, 0); // 0x84222325
 */
export function fnv1_64(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV64_INIT_LOW;
  for (let i = start; i < end; i++) hash = Math.imul(hash, FNV64_PRIME_LOW) ^ signedByte(bytes, i);
  return hash >>> 0;
}

/**
 * FNV-1a with the 64-bit basis and prime, computed in 32 bits as twemproxy and libmemcached do
 * (`fnv1a_64`, twemproxy's default hash).
 *
 * @example
 * fnv1a_64(new TextEncoder().encode('a'), 0, 1);
 */
export function fnv1a_64(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV64_INIT_LOW;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ signedByte(bytes, i), FNV64_PRIME_LOW);
  return hash >>> 0;
}

/**
 * FNV-1 32-bit (`fnv1_32`); for ASCII it equals the published FNV-1 32 vectors.
 *
 * @example
 * fnv1_32(new TextEncoder().encode('a'), 0, 1); // 0x050c5d7e
 */
export function fnv1_32(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV32_INIT;
  for (let i = start; i < end; i++) hash = Math.imul(hash, FNV32_PRIME) ^ signedByte(bytes, i);
  return hash >>> 0;
}

/**
 * FNV-1a 32-bit (`fnv1a_32`); for ASCII it equals the published FNV-1a 32 vectors.
 *
 * @example
 * fnv1a_32(new TextEncoder().encode('a'), 0, 1); // 0xe40c292c
 */
export function fnv1a_32(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV32_INIT;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ signedByte(bytes, i), FNV32_PRIME);
  return hash >>> 0;
}
