import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import { DecodeError, InvalidOptionError } from '../errors.js';
import type { EncodedValue, StoredItem } from '../nodes/cache-node.js';

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

/** Turns application values into bytes and back. The default is JSON. */
export interface Serializer {
  serialize(value: unknown): Buffer | string;
  deserialize(bytes: Buffer): unknown;
}

/**
 * The 32-bit flags stored with every value (natively on memcached, in a header elsewhere).
 * Our formats carry the tag 0x5343 ("SC") in the high 16 bits, so they never collide with the
 * small flags other clients write natively (pylibmc's pickle is 1, for instance): flags
 * without the tag, 0 included, are another client's bytes and read back as Buffers.
 * Low byte: the format. Bit 8: deflate-compressed.
 */
export const VALUE_FLAGS = {
  RAW: 0,
  /** Raw bytes that were compressed need a tag to say so: RAW_TAGGED | COMPRESSED. */
  RAW_TAGGED: 0x5343_0000,
  UTF8: 0x5343_0001,
  SERIALIZED: 0x5343_0002,
  COMPRESSED: 0x100,
} as const;

const TAG = 0x5343_0000;
const TAG_MASK = 0xffff_0000;
const FORMAT_MASK = 0xff;

export interface ValueCodecOptions {
  readonly serializer?: Serializer;
  /** Compress encoded values of at least this many bytes. Default 16 KiB; `false` disables. */
  readonly compressAbove?: number | false;
}

const JSON_SERIALIZER: Serializer = {
  serialize: (value) => {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`JSON cannot represent ${typeof value} values`);
    return text;
  },
  deserialize: (bytes) => JSON.parse(bytes.toString('utf8')),
};

/**
 * Encodes values for the wire: Buffers stay raw, strings are UTF-8, anything else goes through
 * the serializer; large results are compressed. Decoding reverses it from the flags alone.
 *
 * @example
 * const codec = new ValueCodec();
 * const item = await codec.encode({ id: 1 });   // { value: <Buffer 7b ...>, flags: 2 }
 * await codec.decode('k', item);                // { id: 1 }
 */
export class ValueCodec {
  readonly #serializer: Serializer;
  readonly #compressAbove: number;

  constructor(options: ValueCodecOptions = {}) {
    const serializer = options.serializer ?? JSON_SERIALIZER;
    if (typeof serializer.serialize !== 'function' || typeof serializer.deserialize !== 'function') {
      throw new InvalidOptionError('serializer', 'expected { serialize(value), deserialize(bytes) }');
    }
    const compressAbove = options.compressAbove ?? 16 * 1024;
    if (compressAbove !== false && !(Number.isInteger(compressAbove) && compressAbove >= 0)) {
      throw new InvalidOptionError('compressAbove', `expected a whole number of bytes or false, got ${String(compressAbove)}`);
    }
    this.#serializer = serializer;
    this.#compressAbove = compressAbove === false ? Infinity : compressAbove;
  }

  /**
   * The bytes and flags for a value. Synchronous unless the value is compressed (then a
   * Promise: deflate runs off the main thread), so the common write path adds no microtask.
   */
  encode(value: unknown): EncodedValue | Promise<EncodedValue> {
    if (typeof value === 'string') return this.#maybeCompress(value, VALUE_FLAGS.UTF8);
    if (Buffer.isBuffer(value)) return this.#maybeCompress(value, VALUE_FLAGS.RAW);
    if (value instanceof Uint8Array) return this.#maybeCompress(Buffer.from(value.buffer, value.byteOffset, value.byteLength), VALUE_FLAGS.RAW);
    return this.#maybeCompress(this.#serializer.serialize(value), VALUE_FLAGS.SERIALIZED);
  }

  #maybeCompress(payload: Buffer | string, flags: number): EncodedValue | Promise<EncodedValue> {
    // A string of n UTF-16 units has at most 3n UTF-8 bytes: most strings skip the count.
    if (payload.length * (typeof payload === 'string' ? 3 : 1) < this.#compressAbove) return { value: payload, flags };
    const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
    if (bytes.length < this.#compressAbove) return { value: payload, flags };
    // Compressed raw bytes must be tagged: flags 0 means another client's plain bytes.
    const tagged = flags === VALUE_FLAGS.RAW ? VALUE_FLAGS.RAW_TAGGED : flags;
    return deflate(bytes).then((compressed) => (compressed.length < bytes.length ? { value: compressed, flags: (tagged | VALUE_FLAGS.COMPRESSED) >>> 0 } : { value: payload, flags }));
  }

  /**
   * The value in a stored item. Synchronous unless the item is compressed (then a Promise), so
   * the common read path adds no microtask. Raw bytes are handed over as a copy: nodes may
   * return views into a connection's read buffer, which a value kept by the application (in an
   * L1, say) would otherwise pin whole.
   */
  decode(key: string, item: StoredItem): unknown {
    const flags = item.flags >>> 0;
    // Flags without our tag (0 included) belong to another client: hand over its bytes untouched.
    if ((flags & TAG_MASK) >>> 0 !== TAG || (flags & ~(TAG_MASK | FORMAT_MASK | VALUE_FLAGS.COMPRESSED)) !== 0) return Buffer.from(item.value);
    const format = TAG | (flags & FORMAT_MASK);
    if (format !== VALUE_FLAGS.RAW_TAGGED && format !== VALUE_FLAGS.UTF8 && format !== VALUE_FLAGS.SERIALIZED) return Buffer.from(item.value);
    if ((flags & VALUE_FLAGS.COMPRESSED) === 0) return format === VALUE_FLAGS.RAW_TAGGED ? Buffer.from(item.value) : this.#fromBytes(key, format, item.value);
    return inflate(item.value).then(
      // Inflated bytes are a fresh buffer of their own: no copy needed.
      (bytes) => this.#fromBytes(key, format, bytes),
      (error: unknown) => {
        throw new DecodeError(key, 'compressed bytes do not inflate', { cause: error });
      },
    );
  }

  /**
   * As `decode`, for stored bytes read in place (`bytes` from `start` to `end`, valid during the
   * call only), as multi-gets hand them over: no Buffer or item per value. (`decode` keeps its
   * own copy of these checks: measured 60 ns less per get than calling this.)
   */
  read(key: string, storedFlags: number, bytes: Buffer, start: number, end: number): unknown {
    const flags = storedFlags >>> 0;
    if ((flags & TAG_MASK) >>> 0 !== TAG || (flags & ~(TAG_MASK | FORMAT_MASK | VALUE_FLAGS.COMPRESSED)) !== 0) return Buffer.from(bytes.subarray(start, end));
    const format = TAG | (flags & FORMAT_MASK);
    if (format === VALUE_FLAGS.UTF8 && (flags & VALUE_FLAGS.COMPRESSED) === 0) return bytes.toString('utf8', start, end);
    // Anything else is rarer: through `decode`, as a view (a copy for inflating, which outlasts the call).
    const value = (flags & VALUE_FLAGS.COMPRESSED) === 0 ? bytes.subarray(start, end) : Buffer.from(bytes.subarray(start, end));
    return this.decode(key, { value, flags });
  }

  #fromBytes(key: string, format: number, bytes: Buffer): unknown {
    if (format === VALUE_FLAGS.RAW_TAGGED) return bytes;
    if (format === VALUE_FLAGS.UTF8) return bytes.toString('utf8');
    try {
      return this.#serializer.deserialize(bytes);
    } catch (error) {
      throw new DecodeError(key, 'the serializer rejected the stored bytes', { cause: error });
    }
  }
}
