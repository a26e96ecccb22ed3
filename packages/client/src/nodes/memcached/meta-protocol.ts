import type { CommandBuffer } from './command-buffer.js';

/**
 * Commands of memcached's meta protocol (memcached 1.6+), written as bytes: `mg`, `ms`, `md`,
 * `ma`, `mn`; and the text protocol's multi-key `get`, the server's cheapest multi-get. Every meta command carries an opaque token (`O`) that the server echoes, so each
 * reply is checked against the request it answers. Keys go as they are when the text protocol
 * allows it, and base64-encoded (`b`) when they hold spaces or control characters; a key
 * memcached would refuse throws ERR_INVALID_KEY before anything of its command is kept.
 */

/** `ms` modes: set, add (only if absent), replace (only if present). */
export type StoreMode = 'S' | 'E' | 'R';

/** `mg` returning value and flags (`c` adds the CAS token); `q` hides misses (EN). */
export function writeMetaGet(out: CommandBuffer, key: string, opaque: number, withCas: boolean, quiet: boolean): void {
  writeHead(out, 'mg ', key, opaque);
  out.ascii(withCas ? (quiet ? ' f v c q\r\n' : ' f v c\r\n') : quiet ? ' f v q\r\n' : ' f v\r\n');
}

/** `mg` for a copy elsewhere: value, flags and the remaining TTL (`t`, -1 for none). */
export function writeMetaGetWithTtl(out: CommandBuffer, key: string, opaque: number): void {
  writeHead(out, 'mg ', key, opaque);
  out.ascii(' f v t\r\n');
}

/**
 * The `ms` header line; the value and `\r\n` follow. `expiry` 0 stores without expiry,
 * `cas` undefined skips the compare.
 */
export function writeMetaSetHeader(out: CommandBuffer, key: string, bytes: number, flags: number, expiry: number, mode: StoreMode, opaque: number, cas?: string): void {
  out.ascii('ms ');
  const base64 = out.key(key);
  // The data length comes right after the key, so a base64 key's ` b` goes after it.
  out.ascii(' ');
  out.decimal(bytes);
  out.ascii(base64 ? ' b O' : ' O');
  out.decimal(opaque);
  out.ascii(' F');
  out.decimal(flags >>> 0);
  if (expiry !== 0) {
    out.ascii(' T');
    out.decimal(expiry);
  }
  if (mode !== 'S') out.ascii(` M${mode}`);
  if (cas !== undefined) out.ascii(` C${cas}`);
  out.ascii('\r\n');
}

/** `md`: HD when deleted, NF when absent. */
export function writeMetaDelete(out: CommandBuffer, key: string, opaque: number): void {
  writeHead(out, 'md ', key, opaque);
  out.ascii('\r\n');
}

/** `ma` without `N`: an absent key answers NF and is not created. Decrements stop at 0. */
export function writeMetaArithmetic(out: CommandBuffer, key: string, opaque: number, delta: number, mode: 'I' | 'D'): void {
  writeHead(out, 'ma ', key, opaque);
  out.ascii(' D');
  out.decimal(delta);
  out.ascii(mode === 'D' ? ' MD v\r\n' : ' v\r\n');
}

/** `mg` with `T`: sets the TTL without fetching the value; HD when present, EN when absent. */
export function writeMetaTouch(out: CommandBuffer, key: string, opaque: number, expiry: number): void {
  writeHead(out, 'mg ', key, opaque);
  out.ascii(' T');
  out.decimal(expiry);
  out.ascii('\r\n');
}

/** `mg` with no return flags: HD when the key exists, EN when not. */
export function writeMetaProbe(out: CommandBuffer, key: string, opaque: number): void {
  writeHead(out, 'mg ', key, opaque);
  out.ascii('\r\n');
}

/**
 * Text `get k1 k2 ...`: hits answer `VALUE <key> <flags> <bytes>`, then END. Returns the keys
 * as written (space-separated bytes, to check the VALUEs against); the text protocol has no
 * base64 keys, so when a key needs one nothing is written and it returns undefined (send
 * quiet `mg`s instead).
 */
export function writeTextGet(out: CommandBuffer, keys: readonly string[]): Buffer | undefined {
  const mark = out.length;
  out.ascii('get ');
  const first = out.length;
  for (let index = 0; index < keys.length; index++) {
    if (index > 0) out.ascii(' ');
    if (out.key(keys[index] ?? '')) {
      out.truncate(mark);
      return undefined;
    }
  }
  const line = out.copyOf(first);
  out.ascii('\r\n');
  return line;
}

/** `<command> <key>[ b] O<opaque>`: the start every keyed meta command but `ms` shares. */
function writeHead(out: CommandBuffer, command: string, key: string, opaque: number): void {
  out.ascii(command);
  out.ascii(out.key(key) ? ' b O' : ' O');
  out.decimal(opaque);
}

/** The meta no-op: answered MN after every earlier request, so it ends a quiet batch. */
export const META_NOOP = 'mn\r\n';
export const FLUSH_ALL = 'flush_all\r\n';
export const STATS = 'stats\r\n';
export const STATS_SETTINGS = 'stats settings\r\n';
/** The crawler's key dump; the server refuses it after other commands on the same connection. */
export const METADUMP_ALL = 'lru_crawler metadump all\r\n';
