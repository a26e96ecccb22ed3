import { InvalidKeyError } from '../../errors.js';

/**
 * Command text for memcached's meta protocol (memcached 1.6+): `mg`, `ms`, `md`, `ma`, `mn`.
 * Every meta command carries an opaque token (`O`) that the server echoes, so each reply is
 * checked against the request it answers. Keys go as they are when the text protocol allows
 * it, and base64-encoded (`b`) when they hold spaces or control characters.
 */

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

/** `ms` modes: set, add (only if absent), replace (only if present). */
export type StoreMode = 'S' | 'E' | 'R';

/** `mg` returning value and flags (`c` adds the CAS token); `q` hides misses (EN). */
export function metaGet(token: string, opaque: string, withCas: boolean, quiet: boolean): string {
  return `mg ${token} O${opaque} f v${withCas ? ' c' : ''}${quiet ? ' q' : ''}\r\n`;
}

/** `mg` for a copy elsewhere: value, flags and the remaining TTL (`t`, -1 for none). */
export function metaGetWithTtl(token: string, opaque: string): string {
  return `mg ${token} O${opaque} f v t\r\n`;
}

/**
 * The `ms` header line; the value and `\r\n` follow. `expiry` 0 stores without expiry,
 * `cas` undefined skips the compare.
 */
export function metaSetHeader(token: string, bytes: number, flags: number, expiry: number, mode: StoreMode, opaque: string, cas?: string): string {
  // The data length comes right after the key, so a base64 key's ` b` goes after it.
  const space = token.indexOf(' ');
  const key = space === -1 ? token : token.slice(0, space);
  return `ms ${key} ${bytes}${space === -1 ? '' : token.slice(space)} O${opaque} F${flags >>> 0}${expiry === 0 ? '' : ` T${expiry}`}${mode === 'S' ? '' : ` M${mode}`}${cas === undefined ? '' : ` C${cas}`}\r\n`;
}

/** `md`: HD when deleted, NF when absent. */
export function metaDelete(token: string, opaque: string): string {
  return `md ${token} O${opaque}\r\n`;
}

/** `ma` without `N`: an absent key answers NF and is not created. Decrements stop at 0. */
export function metaArithmetic(token: string, opaque: string, delta: number, mode: 'I' | 'D'): string {
  return `ma ${token} O${opaque} D${delta}${mode === 'D' ? ' MD' : ''} v\r\n`;
}

/** `mg` with `T`: sets the TTL without fetching the value; HD when present, EN when absent. */
export function metaTouch(token: string, opaque: string, expiry: number): string {
  return `mg ${token} O${opaque} T${expiry}\r\n`;
}

/** `mg` with no return flags: HD when the key exists, EN when not. */
export function metaProbe(token: string, opaque: string): string {
  return `mg ${token} O${opaque}\r\n`;
}

/** The meta no-op: answered MN after every earlier request, so it ends a quiet batch. */
export const META_NOOP = 'mn\r\n';
export const FLUSH_ALL = 'flush_all\r\n';
export const STATS = 'stats\r\n';
export const STATS_SETTINGS = 'stats settings\r\n';
/** The crawler's key dump; the server refuses it after other commands on the same connection. */
export const METADUMP_ALL = 'lru_crawler metadump all\r\n';
