/**
 * A trivial hash for hand-computable tests (groupcache style): the decimal digits in the bytes,
 * read as one number. Point labels are "<id>-<i>", so node "4" gets points 40, 41, 42, and the
 * key "23" hashes to 23.
 */
export function digitHash(bytes: Uint8Array): number {
  const digits = String.fromCharCode(...bytes).replace(/\D/g, '');
  return digits === '' ? 0 : Number(digits);
}

export const TWO_32 = 2 ** 32;
