import { InvalidKeyError } from '../errors.js';
import { murmur3, murmur3String } from '../hash/murmur3.js';
import type { Key } from '../ring.js';
import type { ByteHash } from './bytes.js';
import { encodeUtf8Into, utf8Scratch } from './utf8.js';

/**
 * Maps a key to its 32-bit hash as int32 bits (`>>> 0` gives the unsigned value): an int32 stays
 * a small integer in V8, where a uint32 above 2^31 returned from a call is boxed (an allocation).
 */
export type KeyHasher = (key: Key) => number;

/** Narrows a key of unknown shape to bytes, or throws ERR_INVALID_KEY. */
export function keyBytes(key: unknown): Uint8Array {
  if (key instanceof Uint8Array) return key;
  throw new InvalidKeyError(`A key must be a string or a Uint8Array, got ${key === null ? 'null' : typeof key}`);
}

/** The native rings' default: murmur3 straight from char codes for ASCII strings (no allocation). */
export const murmur3KeyHasher: KeyHasher = (key) => {
  if (typeof key === 'string') return murmur3String(key);
  const bytes = keyBytes(key);
  return murmur3(bytes, 0, bytes.length) | 0;
};

function indexOfByte(bytes: Uint8Array, byte: number, from: number, end: number): number {
  for (let i = from; i < end; i++) if (bytes[i] === byte) return i;
  return -1;
}

/** Options of compatible rings that change which bytes are hashed. */
export interface KeyHasherOptions {
  /** Two bytes (twemproxy `hash_tag`): hash only what lies between them when non-empty. */
  readonly hashTag?: Uint8Array | undefined;
  /** twemproxy hashes a zero-length key to 0 without calling the hash. */
  readonly emptyIsZero?: boolean;
}

/**
 * A key hasher over UTF-8 bytes (strings are encoded into a reused scratch buffer), applying
 * twemproxy's hash tag and empty-key rule when asked.
 */
export function byteKeyHasher(hash: ByteHash, options: KeyHasherOptions = {}): KeyHasher {
  const tag = options.hashTag;
  const emptyIsZero = options.emptyIsZero === true;
  const open = tag?.[0] ?? -1;
  const close = tag?.[1] ?? -1;
  return (key) => {
    let bytes: Uint8Array;
    let end: number;
    if (typeof key === 'string') {
      bytes = utf8Scratch(key.length * 3);
      end = encodeUtf8Into(key, bytes);
    } else {
      bytes = keyBytes(key);
      end = bytes.length;
    }
    let start = 0;
    if (tag !== undefined) {
      // twemproxy server_pool_idx: the first open byte, then the next close byte after it.
      const from = indexOfByte(bytes, open, 0, end);
      if (from !== -1) {
        const to = indexOfByte(bytes, close, from + 1, end);
        if (to !== -1 && to - from > 1) {
          start = from + 1;
          end = to;
        }
      }
    }
    if (emptyIsZero && end === start) return 0;
    return hash(bytes, start, end) | 0;
  };
}
