/**
 * Time for the long-running commands (demo, chaos, bench): `now()` in ms and an abortable
 * `sleep`. Injected so the demo's story runs on a fake clock in tests.
 */
export interface CliClock {
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts; never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock. Its timers are deliberately not unref'd: a command waiting on one is the
 * program's main work, and an unref'd timer would let Node exit in the middle of it.
 */
export const systemClock: CliClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted === true) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};
