import { InvalidKeyError } from '../../errors.js';

/** memcached's limit on a key token (the encoded form, for base64 keys). */
export const MAX_KEY_TOKEN_BYTES = 250;

/**
 * The key as the server reads it: itself, or ` b`-flagged base64 when it holds bytes the text
 * protocol cannot carry. Throws ERR_INVALID_KEY for an empty key or one over 250 bytes on the
 * wire: memcached would answer CLIENT_ERROR and then read the value as a command.
 *
 * @example
 * keyToken('user:1'); // 'user:1'
 * keyToken('a b');    // 'YSBi b'
 */
export function keyToken(key: string): string {
  let ascii = true;
  let safe = true;
  for (let index = 0; index < key.length; index++) {
    const code = key.charCodeAt(index);
    if (code <= 0x20 || code === 0x7f) safe = false;
    else if (code >= 0x80) ascii = false;
  }
  const bytes = ascii ? key.length : Buffer.byteLength(key, 'utf8');
  if (bytes === 0) throw new InvalidKeyError('the key is empty');
  if (safe) {
    if (bytes > MAX_KEY_TOKEN_BYTES) throw new InvalidKeyError(`${bytes} bytes is over memcached's ${MAX_KEY_TOKEN_BYTES}`);
    return key;
  }
  const encoded = Buffer.from(key, 'utf8').toString('base64');
  if (encoded.length > MAX_KEY_TOKEN_BYTES) throw new InvalidKeyError(`${bytes} bytes is over ${MAX_KEY_TOKEN_BYTES} once base64-encoded for its unsafe characters`);
  return `${encoded} b`;
}
