import { signedByte } from '../internal/bytes.js';

/**
 * Bob Jenkins' one-at-a-time hash, as twemproxy and libmemcached (`"default"`) compute it: each
 * byte is read as a signed C `char`, so bytes >= 0x80 are sign-extended before they are added.
 *
 * @example
 * oneAtATime(new TextEncoder().encode('a'), 0, 1); // 0xca2e9442
 */
export function oneAtATime(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    value = (value + signedByte(bytes, i)) | 0;
    value = (value + (value << 10)) | 0;
    value ^= value >>> 6;
  }
  value = (value + (value << 3)) | 0;
  value ^= value >>> 11;
  value = (value + (value << 15)) | 0;
  return value >>> 0;
}
