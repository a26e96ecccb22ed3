/** A 32-bit hash over `bytes[start, end)`: the shape every hash in `src/hash/` shares. */
export type ByteHash = (bytes: Uint8Array, start: number, end: number) => number;

/** `bytes[i]` as C's signed `char` would read it (x86 and most ABIs sign-extend). */
export function signedByte(bytes: Uint8Array, i: number): number {
  return ((bytes[i] ?? 0) << 24) >> 24;
}

/** Little-endian uint32 (as int32) at `i`, independent of the platform's byte order. */
export function readU32LE(bytes: Uint8Array, i: number): number {
  return (bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24);
}

/** `x` rotated left by `k` bits (0 < k < 32). */
export function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
