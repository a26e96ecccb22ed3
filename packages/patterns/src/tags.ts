import type { Clock } from '@shardcache/health';
import type { Cache } from './cache.js';
import { counterBytes, readCounter } from './internal/envelope.js';

/**
 * Per-tag version counters stored in the cluster (`tag:<name>`), so tag invalidation works
 * across processes without scanning keys. A tagged entry records the versions of its tags when
 * written; it is valid only while every one is still current. `invalidate` is one `incr`.
 *
 * A counter that is missing (never created, evicted, flushed) invalidates every entry tagged
 * with it. New counters start at the current time in ms, so a counter re-created after an
 * eviction is always above any version an old entry recorded (given clocks that agree).
 *
 * @example
 * const tags = new TagVersions(client, systemClock);
 * const versions = await tags.current(['user:1'], true); // { 'user:1': 1732390000000 }
 * await tags.invalidate('user:1');
 * await tags.isCurrent(versions); // false
 */
export class TagVersions {
  readonly #cache: Cache;
  readonly #clock: Clock;
  readonly #prefix: string;

  constructor(cache: Cache, clock: Clock, prefix = 'tag:') {
    this.#cache = cache;
    this.#clock = clock;
    this.#prefix = prefix;
  }

  keyOf(tag: string): string {
    return this.#prefix + tag;
  }

  /** The current version of each tag; missing counters are created when `create` is true. */
  async current(tags: readonly string[], create: boolean): Promise<Record<string, number>> {
    const versions: Record<string, number> = {};
    if (tags.length === 0) return versions;
    const { values, failures } = await this.#cache.getMany(tags.map((tag) => this.keyOf(tag)));
    if (failures.length > 0) throw failures[0]?.error;
    await Promise.all(
      tags.map(async (tag, index) => {
        let version = readCounter(values[index]);
        if (version === undefined && create) version = await this.#create(tag);
        versions[tag] = version ?? Number.NaN;
      }),
    );
    return versions;
  }

  /** True while every recorded version is still the tag's current one. */
  async isCurrent(recorded: Readonly<Record<string, number>>): Promise<boolean> {
    const tags = Object.keys(recorded);
    if (tags.length === 0) return true;
    const current = await this.current(tags, false);
    return tags.every((tag) => current[tag] === recorded[tag]);
  }

  /** Makes every entry tagged `tag` invalid, in every process. */
  async invalidate(tag: string): Promise<void> {
    // An absent counter already invalidates everything tagged with it: nothing to create.
    await this.#cache.incr(this.keyOf(tag), 1);
  }

  async #create(tag: string): Promise<number | undefined> {
    const seed = Math.floor(this.#clock.now());
    if (await this.#cache.add(this.keyOf(tag), counterBytes(seed), { ttl: 'never' })) return seed;
    // Another process created it first: use theirs.
    return readCounter(await this.#cache.get(this.keyOf(tag)));
  }
}
