import { parse } from 'yaml';
import { InvalidConfigError, RingError } from './errors.js';
import type { TwemproxyPool } from './internal/twemproxy-pool.js';
import { narrowTwemproxyPool } from './internal/twemproxy-pool.js';

/**
 * Parses a nutcracker YAML file into its pools (pool name -> pool), each validated as
 * `twemproxyRing` would: unknown directives, hashes or distributions, bad `hash_tag` and empty or
 * non-string `servers` fail with a typed error naming the pool and key. Server lines themselves are
 * parsed when a ring is built.
 *
 * @example
 * const pools = parseTwemproxyConfig(`
 * alpha:
 *   listen: 127.0.0.1:22121
 *   hash: fnv1a_64
 *   distribution: ketama
 *   servers:
 *    - 127.0.0.1:11211:1
 * `);
 * twemproxyRing(pools['alpha']);
 */
export function parseTwemproxyConfig(yamlText: string): Record<string, TwemproxyPool> {
  if (typeof yamlText !== 'string') throw new InvalidConfigError('yamlText', 'expected the YAML file as a string');
  let document: unknown;
  try {
    // YAML 1.2 core schema: "10.0.0.1:11211:1" stays a string (YAML 1.1 would read sexagesimals).
    document = parse(yamlText, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    throw new InvalidConfigError('yaml', err instanceof Error ? err.message : String(err), { cause: err });
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new InvalidConfigError('yaml', 'expected a mapping of pool names to pools');
  }
  const pools: Record<string, TwemproxyPool> = {};
  for (const [name, value] of Object.entries(document)) {
    try {
      pools[name] = narrowTwemproxyPool(value, name).pool;
    } catch (err) {
      if (err instanceof RingError) throw err;
      throw new InvalidConfigError(name, String(err), { cause: err });
    }
  }
  return pools;
}
