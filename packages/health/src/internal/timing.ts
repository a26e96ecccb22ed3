import type { Clock } from '../clock.js';
import { AttemptTimeoutError } from '../errors.js';

/** Waits `ms` on the clock; rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, clock: Clock, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      cancel();
      reject(signal?.reason);
    };
    const cancel = clock.schedule(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` with a signal that aborts at the deadline (AttemptTimeoutError) or when
 * `outer` aborts, and settles at that moment even if the attempt ignores its signal.
 */
export function withDeadline<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  clock: Clock,
  outer: AbortSignal | undefined,
  node: string | undefined,
): Promise<T> {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const cancel = clock.schedule(() => controller.abort(new AttemptTimeoutError(node, timeoutMs)), timeoutMs);
  const { signal } = controller;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    if (outer?.aborted === true) controller.abort(outer.reason);
    const done = (): void => {
      cancel();
      outer?.removeEventListener('abort', onOuterAbort);
      signal.removeEventListener('abort', onAbort);
    };
    Promise.resolve()
      .then(() => attempt(signal))
      .then(
        (value) => {
          done();
          resolve(value);
        },
        (error: unknown) => {
          done();
          reject(error);
        },
      );
  });
}
