import { isTextSafeAscii, MEMCACHED_MAX_KEY_BYTES } from '../../keyspace/memcached-key.js';
import { keyToken } from './key-token.js';

const INITIAL_BYTES = 16 * 1024;
/** Past this, a buffer left from a burst of large values is given back after the flush. */
const KEEP_BYTES = 1024 * 1024;
/** A Buffer value this large goes to the socket as it is instead of being copied. */
const OWN_CHUNK_BYTES = 32 * 1024;

/**
 * The bytes of the commands of one event-loop turn, written straight into one growing buffer:
 * no string is built per command, and the socket gets one copy per flush (plus, unchanged, any
 * large Buffer value). Keys are written as memcached reads them (see `key`).
 *
 * @example
 * const out = new CommandBuffer();
 * out.ascii('mg ');
 * out.key('user:1');
 * out.ascii(' O');
 * out.decimal(7);
 * out.ascii(' f v\r\n');
 * out.take(); // [<Buffer 'mg user:1 O7 f v\r\n'>]
 */
export class CommandBuffer {
  #bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  #length = 0;
  /** Written before a large value that is sent as it is. */
  #chunks: Buffer[] = [];

  /** Bytes written since the last `take`; a mark for `truncate`. */
  get length(): number {
    return this.#length;
  }

  /** Forgets everything written after `mark` (a command that could not be encoded). */
  truncate(mark: number): void {
    if (mark <= this.#length) this.#length = mark;
  }

  /** Text known to be ASCII: command words, flags, CRLF. */
  ascii(text: string): void {
    const length = text.length;
    this.#reserve(length);
    const bytes = this.#bytes;
    let at = this.#length;
    for (let index = 0; index < length; index++) bytes[at++] = text.charCodeAt(index);
    this.#length = at;
  }

  /** A non-negative integer in decimal. */
  decimal(value: number): void {
    if (value < 10) {
      this.#reserve(1);
      this.#bytes[this.#length++] = 0x30 + value;
      return;
    }
    this.ascii(String(value));
  }

  /**
   * A key as memcached reads it: itself when the text protocol can carry it, or base64 when it
   * holds spaces or control characters (the command then needs the ` b` flag: returns true).
   * Throws ERR_INVALID_KEY (nothing written) for an empty key or one over
   * MEMCACHED_MAX_KEY_BYTES on the wire.
   */
  key(key: string): boolean {
    const length = key.length;
    // Every unit is at least one byte: a longer key cannot fit.
    if (length === 0 || length > MEMCACHED_MAX_KEY_BYTES) return this.#unusualKey(key);
    this.#reserve(length);
    const bytes = this.#bytes;
    let at = this.#length;
    // One pass that checks and copies (the key is read once): a unit that is text-safe and one
    // byte goes as it is; at any other, what was copied is dropped (the length is set only at
    // the end) and keyToken decides.
    for (let index = 0; index < length; index++) {
      const code = key.charCodeAt(index);
      if (!isTextSafeAscii(code)) return this.#unusualKey(key);
      bytes[at++] = code;
    }
    this.#length = at;
    return false;
  }

  /** Any text, as UTF-8. */
  utf8(text: string): void {
    this.#reserve(Buffer.byteLength(text, 'utf8'));
    this.#length += this.#bytes.write(text, this.#length, 'utf8');
  }

  /** Raw bytes: copied, or for a large value kept as its own chunk (it must not change until sent). */
  bytes(data: Buffer): void {
    if (data.length >= OWN_CHUNK_BYTES) {
      if (this.#length > 0) this.#chunks.push(this.#copy());
      this.#chunks.push(data);
      return;
    }
    this.#reserve(data.length);
    this.#length += data.copy(this.#bytes, this.#length);
  }

  /** A copy of what was written since `mark`. */
  copyOf(mark: number): Buffer {
    const copy = Buffer.allocUnsafe(this.#length - mark);
    this.#bytes.copy(copy, 0, mark, this.#length);
    return copy;
  }

  /** Everything written, in order, for the socket; starts empty again. */
  take(): Buffer[] {
    const chunks = this.#chunks;
    if (this.#length > 0) chunks.push(this.#copy());
    this.#chunks = [];
    if (this.#bytes.length > KEEP_BYTES) this.#bytes = Buffer.allocUnsafe(INITIAL_BYTES);
    return chunks;
  }

  /** Drops everything written (the connection failed). */
  clear(): void {
    this.#length = 0;
    this.#chunks = [];
  }

  #unusualKey(key: string): boolean {
    const token = keyToken(key);
    this.utf8(token.text);
    return token.base64;
  }

  /** A copy of the written bytes, which the socket may hold while this buffer is reused. */
  #copy(): Buffer {
    const copy = this.copyOf(0);
    this.#length = 0;
    return copy;
  }

  #reserve(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.#bytes.length * 2));
    this.#bytes.copy(grown, 0, 0, this.#length);
    this.#bytes = grown;
  }
}
