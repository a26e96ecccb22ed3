import { InvalidKeyError } from '../../errors.js';
import { isTextSafeKey, MEMCACHED_MAX_KEY_BYTES } from '../../keyspace/memcached-key.js';

/** A key as the meta protocol carries it: the text to write, and whether it is base64 (the command then needs the `b` flag). */
export interface KeyToken {
  readonly text: string;
  readonly base64: boolean;
}

/**
 * The key as the server reads it: itself when it is text-safe (see memcached-key.ts), or
 * base64 when it holds bytes the text protocol cannot carry. Throws ERR_INVALID_KEY for an
 * empty key or one over MEMCACHED_MAX_KEY_BYTES as sent: memcached would answer CLIENT_ERROR
 * and then read the value as a command.
 *
 * Off the hot path: the command buffer copies printable ASCII keys itself and asks this only
 * for the others.
 *
 * @example
 * keyToken('user:1'); // { text: 'user:1', base64: false }
 * keyToken('a b');    // { text: 'YSBi', base64: true }
 */
export function keyToken(key: string): KeyToken {
  if (key === '') throw new InvalidKeyError('the key is empty');
  if (isTextSafeKey(key)) {
    const bytes = Buffer.byteLength(key, 'utf8');
    if (bytes > MEMCACHED_MAX_KEY_BYTES) throw new InvalidKeyError(`${bytes} bytes is over memcached's ${MEMCACHED_MAX_KEY_BYTES}`);
    return { text: key, base64: false };
  }
  const bytes = Buffer.from(key, 'utf8');
  const encoded = bytes.toString('base64');
  if (encoded.length > MEMCACHED_MAX_KEY_BYTES) throw new InvalidKeyError(`${bytes.length} bytes is over ${MEMCACHED_MAX_KEY_BYTES} once base64-encoded for its unsafe characters`);
  return { text: encoded, base64: true };
}
