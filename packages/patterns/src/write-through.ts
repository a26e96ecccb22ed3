import { CacheWriteError, WriterError } from './errors.js';

/**
 * Write-through: the source of truth first, then the cache. A failed `write` leaves the cache
 * untouched (ERR_WRITER); a failed `store` falls back to `remove`, so readers load the new value
 * instead of seeing the old one; only when both fail is the cache stale (ERR_CACHE_WRITE).
 *
 * @example
 * await writeThrough('user:1', () => db.saveUser(user), () => cache.set('user:1', user), () => cache.delete('user:1'));
 */
export async function writeThrough(key: string, write: () => Promise<unknown>, store: () => Promise<unknown>, remove: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    throw new WriterError(key, error);
  }
  try {
    await store();
  } catch (storeError) {
    try {
      await remove();
    } catch {
      throw new CacheWriteError(key, storeError);
    }
  }
}
