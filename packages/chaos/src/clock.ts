/**
 * Time as the fault proxy, faults and scenarios see it. Tests pass a fake; the default uses
 * `performance.now()` and unref'd timers, so a forgotten timer never keeps a process alive.
 *
 * @example
 * const proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port }, clock: systemClock });
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock: monotonic milliseconds and unref'd timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => {
    if (handle !== undefined) clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
