import { createHash } from 'node:crypto';
import { InvalidKeyError, InvalidOptionError } from '../errors.js';
import { isTextSafeKey, MEMCACHED_MAX_KEY_BYTES } from './memcached-key.js';

/** How application keys become server keys. */
export interface KeyRulesOptions {
  /**
   * Prepended to every key on the wire. Like libmemcached's namespace, it does not take part
   * in placement unless `prefixInPlacement` is true, so two prefixes share one layout.
   */
  readonly prefix?: string;
  readonly prefixInPlacement?: boolean;
  /** Two characters, e.g. `"{}"`: only the part between them (when non-empty) is hashed. */
  readonly hashTag?: string;
  /**
   * What to do with a key memcached would refuse (too long, whitespace, control characters):
   * `'reject'` (default) throws ERR_INVALID_KEY; `'digest'` replaces it by a stable SHA-1 digest.
   */
  readonly unsafeKeys?: 'reject' | 'digest';
  /** Apply memcached's key rules. Redis keys are binary-safe, but the rules can be kept. */
  readonly memcachedRules?: boolean;
}

/** A key ready to send: the bytes the server sees, and the part the ring hashes. */
export interface RoutedKey {
  readonly wire: string;
  readonly placement: string;
}

/**
 * The keyspace rules of one client: validation, prefix, hash tag and digests, applied before
 * anything is sent, so a bad key fails alone and never reaches a server.
 *
 * @example
 * const rules = new KeyRules({ prefix: 'app:', hashTag: '{}' });
 * rules.route('{user:1}:profile'); // { wire: 'app:{user:1}:profile', placement: 'user:1' }
 */
export class KeyRules {
  readonly #prefix: string;
  readonly #prefixBytes: number;
  readonly #prefixInPlacement: boolean;
  readonly #tag: readonly [string, string] | undefined;
  readonly #digest: boolean;
  readonly #memcachedRules: boolean;

  constructor(options: KeyRulesOptions = {}) {
    const prefix = options.prefix ?? '';
    if (typeof prefix !== 'string') throw new InvalidOptionError('prefix', 'expected a string');
    const hashTag = options.hashTag;
    if (hashTag !== undefined && (typeof hashTag !== 'string' || hashTag.length !== 2)) {
      throw new InvalidOptionError('hashTag', `expected two characters such as "{}", got ${JSON.stringify(hashTag)}`);
    }
    const unsafeKeys = options.unsafeKeys ?? 'reject';
    if (unsafeKeys !== 'reject' && unsafeKeys !== 'digest') throw new InvalidOptionError('unsafeKeys', `expected 'reject' or 'digest', got ${JSON.stringify(unsafeKeys)}`);
    this.#memcachedRules = options.memcachedRules ?? true;
    if (this.#memcachedRules && !isTextSafeKey(prefix)) throw new InvalidOptionError('prefix', 'contains whitespace or a control character');
    this.#prefix = prefix;
    this.#prefixBytes = Buffer.byteLength(prefix);
    this.#prefixInPlacement = options.prefixInPlacement ?? false;
    this.#tag = hashTag === undefined ? undefined : [hashTag.charAt(0), hashTag.charAt(1)];
    this.#digest = unsafeKeys === 'digest';
  }

  /** The wire key and placement key for an application key, or ERR_INVALID_KEY. */
  route(key: unknown): RoutedKey {
    if (typeof key !== 'string') throw new InvalidKeyError(`expected a string, got ${key === null ? 'null' : typeof key}`);
    if (key === '') throw new InvalidKeyError('the empty string is not a key');
    let own = key;
    if (this.#memcachedRules) {
      const problem = this.#problem(key);
      if (problem !== undefined) {
        if (!this.#digest) throw new InvalidKeyError(`${problem}: ${preview(key)}`);
        own = `sha1:${createHash('sha1').update(key).digest('hex')}`;
      }
    }
    const wire = this.#prefix + own;
    const hashed = this.#prefixInPlacement ? wire : own;
    return { wire, placement: this.#tagged(hashed) };
  }

  /**
   * The placement key of a key as stored on a server (for migration and audits), or undefined
   * when it is not under this client's prefix (another application's key).
   */
  placementOfWire(wire: string): string | undefined {
    if (!wire.startsWith(this.#prefix)) return undefined;
    return this.#tagged(this.#prefixInPlacement ? wire : wire.slice(this.#prefix.length));
  }

  #problem(key: string): string | undefined {
    // A UTF-16 unit is at most 3 UTF-8 bytes: short keys need no byte count.
    if (key.length * 3 + this.#prefixBytes > MEMCACHED_MAX_KEY_BYTES) {
      const bytes = Buffer.byteLength(key) + this.#prefixBytes;
      if (bytes > MEMCACHED_MAX_KEY_BYTES) return `${bytes} bytes with the prefix, over memcached's ${MEMCACHED_MAX_KEY_BYTES}`;
    }
    if (!isTextSafeKey(key)) return 'contains whitespace or a control character';
    return undefined;
  }

  // twemproxy's rule: hash the text between the first opening tag and the next closing tag,
  // when that text is non-empty; otherwise the whole key.
  #tagged(key: string): string {
    if (this.#tag === undefined) return key;
    const start = key.indexOf(this.#tag[0]);
    if (start === -1) return key;
    const end = key.indexOf(this.#tag[1], start + 1);
    return end > start + 1 ? key.slice(start + 1, end) : key;
  }
}

function preview(key: string): string {
  const shown = key.length > 40 ? `${key.slice(0, 40)}...` : key;
  return JSON.stringify(shown);
}
