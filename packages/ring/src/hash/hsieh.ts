import { signedByte } from '../internal/bytes.js';

function get16(bytes: Uint8Array, i: number): number {
  return (bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8);
}

/**
 * Paul Hsieh's SuperFastHash as twemproxy (`hsieh`) compiles it on x86-64: 16-bit reads are
 * byte-wise, and in the three-byte tail the third byte is read as a signed `char`.
 *
 * @example
 * hsieh(new TextEncoder().encode('key'), 0, 3);
 */
export function hsieh(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length <= 0) return 0;
  let hash = 0;
  let i = start;
  for (let blocks = length >>> 2; blocks > 0; blocks--) {
    hash = (hash + get16(bytes, i)) | 0;
    const tmp = (get16(bytes, i + 2) << 11) ^ hash;
    hash = (hash << 16) ^ tmp;
    i += 4;
    hash = (hash + (hash >>> 11)) | 0;
  }
  switch (length & 3) {
    case 3:
      hash = (hash + get16(bytes, i)) | 0;
      hash ^= hash << 16;
      hash ^= signedByte(bytes, i + 2) << 18;
      hash = (hash + (hash >>> 11)) | 0;
      break;
    case 2:
      hash = (hash + get16(bytes, i)) | 0;
      hash ^= hash << 11;
      hash = (hash + (hash >>> 17)) | 0;
      break;
    case 1:
      hash = (hash + (bytes[i] ?? 0)) | 0;
      hash ^= hash << 10;
      hash = (hash + (hash >>> 1)) | 0;
      break;
  }
  hash ^= hash << 3;
  hash = (hash + (hash >>> 5)) | 0;
  hash ^= hash << 4;
  hash = (hash + (hash >>> 17)) | 0;
  hash ^= hash << 25;
  hash = (hash + (hash >>> 6)) | 0;
  return hash >>> 0;
}
