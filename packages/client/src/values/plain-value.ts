import { InvalidValueError } from '../errors.js';
import type { Payload } from '../nodes/cache-node.js';
import type { Serializer } from './value-codec.js';

/**
 * The bytes `values: 'plain'` writes for a value: what another client would have written for it,
 * stored with flags 0 and no header. Strings as UTF-8, Buffers (and other Uint8Arrays) as they
 * are, integers (safe-integer numbers, bigints) as decimal text, so `incr` works on them from
 * any client. Anything else only through the caller's serializer: guessing a format (JSON, say)
 * would write bytes other clients take for text they never wrote. Throws ERR_INVALID_VALUE
 * naming the key and the type otherwise, before anything is sent.
 *
 * @example
 * plainPayload('n', 42, undefined);           // '42'
 * plainPayload('o', { a: 1 }, undefined);     // throws ERR_INVALID_VALUE: "o" is an object (Object)
 */
export function plainPayload(key: string, value: unknown, serializer: Serializer | undefined): Payload {
  if (typeof value === 'string' || Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  // Only exact integers: String(2 ** 70) is "1.1805916207174113e+21", which no counter reads.
  if (typeof value === 'bigint' || Number.isSafeInteger(value)) return String(value);
  if (serializer === undefined) {
    throw new InvalidValueError(key, typeName(value), "values: 'plain' writes strings, Buffers and integers only (what other clients can read); give a serializer to write other types as bytes, or use values: 'typed'");
  }
  let bytes: unknown;
  try {
    bytes = serializer.serialize(value);
  } catch (error) {
    throw new InvalidValueError(key, typeName(value), 'the serializer threw', { cause: error });
  }
  if (typeof bytes === 'string' || Buffer.isBuffer(bytes)) return bytes;
  if (bytes instanceof Uint8Array) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new InvalidValueError(key, typeName(value), `the serializer returned ${typeName(bytes)}, not a string or Buffer`);
}

/** What a value is, for an error message: its type or class, never its content (values stay out of errors). */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a number beyond Number.MAX_SAFE_INTEGER (pass a bigint)' : 'a number that is not an integer';
  if (typeof value === 'object') {
    const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? `an object (${name})` : 'an object';
  }
  return `a ${typeof value}`;
}
