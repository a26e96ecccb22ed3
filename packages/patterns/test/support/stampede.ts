// One process's side of the stampede test, shared by the test process and the child process
// it spawns: 1,000 concurrent getOrSet calls for one cold key with the lock on.
import { PatternCache, type Cache } from '../../src/index.js';

export interface StampedeResult {
  readonly pid: number;
  readonly loaderCalls: number;
  readonly lockWaits: number;
  readonly coalesced: number;
  /** Distinct values the calls returned (1 when every call got the same value). */
  readonly loadedBy: readonly number[];
}

export const STAMPEDE_POLL_MS = 20;

/** Both processes' call deadline: far off, so no lock call fails (a failed one loads without the lock). */
export const STAMPEDE_TIMEOUT_MS = 10_000;

/**
 * The loader holds the lock until the other process has been seen waiting on it (it writes
 * `<key>:waiting` on its first lock wait), and for at least 10 lock polls: so the loader is
 * always slower than the lock wait, by a condition rather than a guessed duration. Bounded by
 * 10 s, after which the test's assertions fail instead of hanging.
 */
export async function runStampede(cache: Cache, key: string, calls = 1000): Promise<StampedeResult> {
  const patterns = new PatternCache(cache, { defaultTtl: 60, lock: { ttl: 30, waitMs: 20_000, pollMs: STAMPEDE_POLL_MS } });
  let loaderCalls = 0;
  const signalled: Promise<unknown>[] = [];
  patterns.subscribe((event) => {
    if (event.type === 'lock-wait') signalled.push(cache.set(`${key}:waiting`, String(process.pid), { ttl: 60 }));
  });
  const loader = async (): Promise<{ loadedBy: number }> => {
    loaderCalls++;
    const started = Date.now();
    const deadline = started + 10_000;
    while (Date.now() < deadline && (Date.now() - started < 10 * STAMPEDE_POLL_MS || (await cache.get(`${key}:waiting`)) === undefined)) {
      await new Promise((resolve) => setTimeout(resolve, STAMPEDE_POLL_MS));
    }
    return { loadedBy: process.pid };
  };
  const values = await Promise.all(Array.from({ length: calls }, () => patterns.getOrSet(key, loader)));
  await Promise.all(signalled);
  const { lockWaits, coalesced } = patterns.stats;
  await patterns.close();
  return { pid: process.pid, loaderCalls, lockWaits, coalesced, loadedBy: [...new Set(values.map((value) => value.loadedBy))] };
}
