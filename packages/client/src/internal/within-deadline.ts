import type { Clock } from './clock.js';

/**
 * `work` done before a call reaches its node (compressing a large value runs off the main
 * thread and can take hundreds of ms when the pool is busy), raced against the call's
 * deadline: the call fails with `timedOut()` when the deadline passes first, so it settles by
 * its deadline whatever the work costs. Resolves with the work's result and the ms left for
 * the node call. Found by the nemesis: 2 MiB sets settled up to 1.9 s after a 100 ms deadline.
 * `startedAt`: when the call began (by default now), if work before this (encoding) counts too.
 */
export function withinDeadline<T>(work: Promise<T>, clock: Clock, timeoutMs: number, timedOut: () => Error, startedAt = clock.now()): Promise<{ readonly result: T; readonly leftMs: number }> {
  return new Promise((resolve, reject) => {
    const cancel = clock.schedule(() => reject(timedOut()), Math.max(0, timeoutMs - (clock.now() - startedAt)));
    work.then(
      (result) => {
        cancel();
        // Whole ms, as `timeoutMs` options are (node timers take integers).
        const leftMs = Math.floor(timeoutMs - (clock.now() - startedAt));
        if (leftMs > 0) resolve({ result, leftMs });
        else reject(timedOut());
      },
      (error: unknown) => {
        cancel();
        reject(error);
      },
    );
  });
}
