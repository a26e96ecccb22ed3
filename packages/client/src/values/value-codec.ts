import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import { DecodeError, InvalidOptionError } from '../errors.js';
import type { EncodedValue, StoredItem } from '../nodes/cache-node.js';
import { plainPayload } from './plain-value.js';

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
 * without the tag, 0 included, are another client's bytes (or plain values): they read back as
 * Buffers in typed mode, as text in plain mode.
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

/** Flags one of our formats wrote: the tag, and nothing but a format and the compression bit. */
function tagged(flags: number): boolean {
  return (flags & TAG_MASK) >>> 0 === TAG && (flags & ~(TAG_MASK | FORMAT_MASK | VALUE_FLAGS.COMPRESSED)) === 0;
}

/**
 * How values are written. `'typed'` (the default) keeps each value's type and compresses large
 * ones, through flags and (on redis and memjs) a 12-byte header only this client reads.
 * `'plain'` writes what other clients write and read: strings as bare UTF-8, Buffers as bytes,
 * integers as decimal text, flags 0, no header, never compressed; untagged values read back as
 * strings. See the README's "Values shared with other clients".
 */
export type ValueMode = 'typed' | 'plain';
const VALUE_MODES: readonly ValueMode[] = ['typed', 'plain'];

export interface ValueCodecOptions {
  /**
   * Turns values into bytes and back. Typed mode: every value that is not a string or bytes
   * (default JSON). Plain mode: writes values that are not strings, bytes or integers (no
   * default: without one they are refused); what it wrote reads back as text or bytes, since
   * nothing stored says it was serialized (`deserialize` still decodes what a typed client wrote).
   */
  readonly serializer?: Serializer;
  /** Compress encoded values of at least this many bytes. Default 16 KiB; `false` disables. Refused with `values: 'plain'`. */
  readonly compressAbove?: number | false;
  /** Default `'typed'`. */
  readonly values?: ValueMode;
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
 * In plain mode, values are written as other clients write them (see `plainPayload`), and
 * bytes without our tag read back as text.
 *
 * @example
 * const codec = new ValueCodec();
 * const item = await codec.encode('k', { id: 1 });   // { value: '{"id":1}', flags: 0x53430002 }
 * await codec.decode('k', item);                     // { id: 1 }
 */
export class ValueCodec {
  readonly #serializer: Serializer;
  readonly #compressAbove: number;
  readonly #plain: boolean;
  /** Plain mode's serializer: only the caller's own (there is no default format other clients read). */
  readonly #plainSerializer: Serializer | undefined;

  constructor(options: ValueCodecOptions = {}) {
    const serializer = options.serializer ?? JSON_SERIALIZER;
    if (typeof serializer.serialize !== 'function' || typeof serializer.deserialize !== 'function') {
      throw new InvalidOptionError('serializer', 'expected { serialize(value), deserialize(bytes) }');
    }
    const compressAbove = options.compressAbove ?? 16 * 1024;
    if (compressAbove !== false && !(Number.isInteger(compressAbove) && compressAbove >= 0)) {
      throw new InvalidOptionError('compressAbove', `expected a whole number of bytes or false, got ${String(compressAbove)}`);
    }
    const values: unknown = options.values ?? 'typed';
    if (!VALUE_MODES.includes(values as ValueMode)) throw new InvalidOptionError('values', `expected 'typed' or 'plain', got ${JSON.stringify(values)}`);
    // Refused rather than ignored: a caller who asked for compression would get none. Other
    // clients cannot read our deflated bytes (pylibmc's zlib flag is its own format), and
    // without a tag a read could not tell them from text.
    if (values === 'plain' && compressAbove !== false && options.compressAbove !== undefined) {
      throw new InvalidOptionError('compressAbove', "values: 'plain' never compresses (other clients could not read deflated bytes); leave compressAbove out or set it to false, or use values: 'typed'");
    }
    this.#serializer = serializer;
    this.#plain = values === 'plain';
    this.#plainSerializer = options.serializer;
    this.#compressAbove = compressAbove === false || this.#plain ? Infinity : compressAbove;
  }

  /**
   * The bytes and flags for a value. Synchronous unless the value is compressed (then a
   * Promise: deflate runs off the main thread), so the common write path adds no microtask.
   * `key` (as the caller wrote it) names the value in errors.
   */
  encode(key: string, value: unknown): EncodedValue | Promise<EncodedValue> {
    if (this.#plain) return { value: plainPayload(key, value, this.#plainSerializer), flags: VALUE_FLAGS.RAW };
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
   * L1, say) would otherwise pin whole. `asBuffer` (a call's `as: 'buffer'`): the value's bytes,
   * inflated if we compressed them, whatever their format.
   */
  decode(key: string, item: StoredItem, asBuffer = false): unknown {
    const flags = item.flags >>> 0;
    const { value } = item;
    if (!tagged(flags)) return this.#untagged(value, 0, value.length, asBuffer);
    const format = TAG | (flags & FORMAT_MASK);
    if (format !== VALUE_FLAGS.RAW_TAGGED && format !== VALUE_FLAGS.UTF8 && format !== VALUE_FLAGS.SERIALIZED) return this.#untagged(value, 0, value.length, asBuffer);
    if ((flags & VALUE_FLAGS.COMPRESSED) === 0) return asBuffer || format === VALUE_FLAGS.RAW_TAGGED ? Buffer.from(value) : this.#fromBytes(key, format, value);
    return inflate(value).then(
      // Inflated bytes are a fresh buffer of their own: no copy needed.
      (bytes) => (asBuffer ? bytes : this.#fromBytes(key, format, bytes)),
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
  read(key: string, storedFlags: number, bytes: Buffer, start: number, end: number, asBuffer = false): unknown {
    const flags = storedFlags >>> 0;
    if (!tagged(flags)) return this.#untagged(bytes, start, end, asBuffer);
    const format = TAG | (flags & FORMAT_MASK);
    if (format === VALUE_FLAGS.UTF8 && (flags & VALUE_FLAGS.COMPRESSED) === 0 && !asBuffer) return bytes.toString('utf8', start, end);
    // Anything else is rarer: through `decode`, as a view (a copy for inflating, which outlasts the call).
    const value = (flags & VALUE_FLAGS.COMPRESSED) === 0 ? bytes.subarray(start, end) : Buffer.from(bytes.subarray(start, end));
    return this.decode(key, { value, flags }, asBuffer);
  }

  /**
   * Bytes without our tag (flags 0, or another client's own flags): another client's value, or
   * one we wrote plain. Plain mode reads them as the text they almost always are (what a client
   * migrating from another language stored); typed mode, and any `as: 'buffer'` read, hands
   * over the bytes untouched (a copy).
   */
  #untagged(bytes: Buffer, start: number, end: number, asBuffer: boolean): Buffer | string {
    return this.#plain && !asBuffer ? bytes.toString('utf8', start, end) : Buffer.from(bytes.subarray(start, end));
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
