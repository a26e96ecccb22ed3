import { ConnectionError, type CacheNode, type DumpedItem, type Payload, type StoredItem } from '../../src/index.js';

/** Hooks a test awaits inside a node call, to hold it (a pending promise) or fail it (a rejection). */
export interface MemoryNodeHooks {
  deleteMany?: (keys: readonly string[]) => Promise<void>;
  restore?: (key: string) => Promise<void>;
  delete?: (key: string) => Promise<void>;
  /** Awaited before a single-key read answers (hold it to let something happen in between). */
  get?: (key: string) => Promise<void>;
  /** While true, every read, write and ping fails with ERR_CONNECTION (the node is unreachable). */
  down?: () => boolean;
  /** Awaited before a scan page is read (a rejection fails the scan). */
  scan?: () => Promise<void>;
  /** Awaited after a multi-get has read its values, before it answers: a reply held on the way back. */
  read?: (keys: readonly string[]) => Promise<void>;
  /** Awaited after a write (set, setMany) is stored, before it is acknowledged: a reply held on the way back. */
  stored?: (keys: readonly string[]) => Promise<void>;
}

/**
 * A cache node over a Map (no I/O, no TTLs), with scan/dump/restore for migrations. Items are
 * kept as they would be copied, so a test can look at a node's contents directly.
 */
export function memoryNode(id: string, items: Map<string, DumpedItem>, hooks: MemoryNodeHooks = {}): CacheNode {
  const read = (key: string): StoredItem | undefined => {
    const item = items.get(key);
    return item === undefined ? undefined : { value: item.payload, flags: item.flags ?? 0 };
  };
  const write = (key: string, value: Payload, flags: number): void => void items.set(key, { payload: Buffer.from(value), flags, ttlMs: null });
  const unsupported = (): Promise<never> => Promise.reject(new Error('not used here'));
  const reachable = async <T>(call: () => T): Promise<T> => {
    if (hooks.down?.() === true) throw new ConnectionError(id, 'down (test)');
    return call();
  };
  return {
    id,
    capabilities: { nativeFlags: true, cas: false, scanKeys: true, dumpRestore: true },
    scan: async (cursor, count) => {
      await hooks.scan?.();
      const keys = [...items.keys()];
      const start = Number(cursor);
      const next = start + count >= keys.length ? '0' : String(start + count);
      return { cursor: next, keys: keys.slice(start, start + count) };
    },
    dump: (keys) => Promise.resolve(keys.map((key) => items.get(key))),
    restore: async (key, item) => {
      await hooks.restore?.(key);
      if (items.has(key)) return 'exists';
      items.set(key, item);
      return 'restored';
    },
    get: async (key) => {
      await hooks.get?.(key);
      return reachable(() => read(key));
    },
    getMany: async (keys) => {
      const items = await reachable(() => keys.map(read));
      await hooks.read?.(keys);
      return items;
    },
    set: async (key, value, flags) => {
      await reachable(() => write(key, value, flags));
      await hooks.stored?.([key]);
    },
    setMany: async (entries) => {
      entries.forEach((entry) => write(entry.key, entry.value, entry.flags));
      await hooks.stored?.(entries.map((entry) => entry.key));
    },
    add: (key, value, flags) => Promise.resolve(!items.has(key) && (write(key, value, flags), true)),
    replace: (key, value, flags) => Promise.resolve(items.has(key) && (write(key, value, flags), true)),
    delete: async (key) => {
      await hooks.delete?.(key);
      return reachable(() => items.delete(key));
    },
    deleteMany: async (keys) => {
      await hooks.deleteMany?.(keys);
      return keys.filter((key) => items.delete(key)).length;
    },
    gets: unsupported, cas: unsupported, incr: unsupported, decr: unsupported, touch: unsupported,
    flush: () => Promise.resolve(items.clear()),
    ping: () => reachable(() => undefined),
    stats: () => Promise.resolve({ curr_items: String(items.size) }),
    close: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  };
}
