// Tags and namespaces over one in-memory cache; two PatternCaches stand for two processes.
import { describe, expect, it, vi } from 'vitest';
import { PatternCache, TagVersions } from '../src/index.js';
import { MemoryCache } from './support/memory-cache.js';

describe('tags', () => {
  it('invalidates every entry of a tag, as seen by another process, without touching the others', async () => {
    const shared = new MemoryCache();
    const [writer, reader] = [new PatternCache(shared, { defaultTtl: 60 }), new PatternCache(shared, { defaultTtl: 60 })];
    await writer.setTagged('post:1', 'p1', ['user:1']);
    await writer.setTagged('post:2', 'p2', ['user:1', 'feed']);
    await writer.setTagged('post:3', 'p3', ['user:2']);
    expect(await reader.get('post:1')).toBe('p1');

    await reader.invalidateTag('user:1');
    expect(await writer.get('post:1')).toBeUndefined();
    expect(await writer.get('post:2')).toBeUndefined();
    expect(await writer.get('post:3')).toBe('p3');
    expect(writer.stats.tagMisses).toBe(2);
  });

  it('stores version counters as raw decimal bytes that start at the clock, so incr works on both backends', async () => {
    const shared = new MemoryCache();
    const tags = new TagVersions(shared, { now: () => 1234.5, schedule: () => () => undefined });
    expect(await tags.current(['t'], true)).toEqual({ t: 1234 });
    expect(shared.items.get('tag:t')?.value).toEqual(Buffer.from('1234'));
    await tags.invalidate('t');
    expect(await tags.current(['t'], false)).toEqual({ t: 1235 });
    expect(await tags.isCurrent({ t: 1234 })).toBe(false);
  });

  it('treats a lost (evicted) counter as an invalidation', async () => {
    const shared = new MemoryCache();
    const cache = new PatternCache(shared, { defaultTtl: 60 });
    await cache.setTagged('k', 'v', ['t']);
    shared.items.delete('tag:t');
    expect(await cache.get('k')).toBeUndefined();
  });

  it('getOrSet with tags reloads after an invalidation', async () => {
    const cache = new PatternCache(new MemoryCache(), { defaultTtl: 60 });
    const loader = vi.fn(async () => `v${loader.mock.calls.length}`);
    expect(await cache.getOrSet('k', loader, { tags: ['t'] })).toBe('v1');
    expect(await cache.getOrSet('k', loader, { tags: ['t'] })).toBe('v1');
    await cache.invalidateTag('t');
    expect(await cache.getOrSet('k', loader, { tags: ['t'] })).toBe('v2');
  });

  it('refuses tags that are not non-empty strings', async () => {
    const cache = new PatternCache(new MemoryCache());
    await expect(cache.setTagged('k', 1, [''])).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'tags' });
  });
});

describe('namespaces', () => {
  it('prefixes keys with the name and version, so a new version starts empty', async () => {
    const shared = new MemoryCache();
    const cache = new PatternCache(shared, { defaultTtl: 60 });
    const v1 = cache.namespace('user', { version: 1 });
    await v1.set('1', 'Ada');
    expect(shared.items.has('user:v1:1')).toBe(true);
    expect(await cache.namespace('user', { version: 1 }).get('1')).toBe('Ada');
    expect(await cache.namespace('user', { version: 2 }).get('1')).toBeUndefined();
    expect(await cache.namespace('user', { version: 2 }).getOrSet('1', () => 'Ada v2')).toBe('Ada v2');
    expect(cache.stats.loads).toBe(1); // stats are shared with the namespaces
  });

  it('scopes tags to the namespace version', async () => {
    const shared = new MemoryCache();
    const ns = new PatternCache(shared, { defaultTtl: 60 }).namespace('app', { version: 'b7' });
    await ns.setTagged('k', 'v', ['t']);
    expect(shared.items.has('app:vb7:tag:t')).toBe(true);
  });

  it('validates name and version', () => {
    const cache = new PatternCache(new MemoryCache());
    expect(() => cache.namespace('', { version: 1 })).toThrow(expect.objectContaining({ option: 'name' }));
    expect(() => cache.namespace('user', { version: -1 })).toThrow(expect.objectContaining({ option: 'version' }));
    expect(() => cache.namespace('user', {} as never)).toThrow(expect.objectContaining({ option: 'version' }));
  });
});
