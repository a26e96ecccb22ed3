/** A stretch of time (`performance.now()`, ms) during which the event loop ran no timer. */
export interface LoopStall {
  readonly fromMs: number;
  readonly toMs: number;
}

/** How late this process's event loop ran while it was watched, in ms. */
export interface LoopStalls {
  /**
   * The longest gap between two turns: how late one timer (a call's deadline) may have fired.
   * The sampling interval is included, so a loop that never stalled reads about that interval.
   */
  readonly longestMs: number;
  /**
   * Every gap's lateness added up: how late a chain of timers (one armed when the last fired,
   * such as an ejection, its probes and a rejoin wait) may have finished. A stall delays only the
   * link pending during it, so a chain is late by at most the sum of all stalls.
   */
  readonly totalMs: number;
  /**
   * When the loop was late by a sampling interval or more. A deadline that passed inside one
   * fired when the loop came back, before the socket's data waiting since then was read (timers
   * run first in a turn): such a call failed because this process stalled, whatever its server did.
   */
  readonly stalls: readonly LoopStall[];
}

/** Sampling interval: a stall shorter than this is not seen on its own (it adds to `totalMs`). */
const INTERVAL_MS = 10;

/**
 * Starts watching the event loop; `stop()` says how late it ran meanwhile. On shared cores a
 * busy loop, a GC pause or the process being descheduled delays every timer: time bounds in
 * tests over real servers add what was measured here in the same run, not a guessed slack.
 * Sampled by an unref'd timer of the loop being watched, so it is late exactly when theirs are.
 *
 * @example
 * const watch = watchEventLoop();
 * await expect(client.get(keyOnHungNode)).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
 * const { longestMs } = watch.stop();
 * expect(elapsed).toBeLessThanOrEqual(timeoutMs + longestMs);
 */
export function watchEventLoop(): { stop(untilMs?: number): LoopStalls } {
  // Each gap between two samples, by when it ended: 100 a second, so a long run keeps a few thousand.
  const gaps: { fromMs: number; toMs: number }[] = [];
  let last = performance.now();
  const sample = (): void => {
    const now = performance.now();
    gaps.push({ fromMs: last, toMs: now });
    last = now;
  };
  const timer = setInterval(sample, INTERVAL_MS);
  timer.unref();
  let result: LoopStalls | undefined;
  return {
    /**
     * Stops watching. With `untilMs` (a `performance.now()` in the past), what came after it is
     * left out: a caller whose work ended then, such as a load before its report is built (a sort
     * of every sample, itself a stall), is judged by the loop during that work only.
     */
    stop(untilMs?: number): LoopStalls {
      if (result !== undefined) return result;
      clearInterval(timer);
      sample();
      const until = untilMs ?? Number.POSITIVE_INFINITY;
      const seen = gaps.filter((gap) => gap.fromMs < until).map((gap) => ({ fromMs: gap.fromMs, toMs: Math.min(gap.toMs, until) }));
      const lengths = seen.map((gap) => gap.toMs - gap.fromMs);
      const longestMs = lengths.reduce((longest, length) => Math.max(longest, length), INTERVAL_MS);
      const totalMs = lengths.reduce((sum, length) => sum + Math.max(0, length - INTERVAL_MS), 0);
      result = { longestMs: round(longestMs), totalMs: round(Math.max(totalMs, longestMs)), stalls: seen.filter((gap) => gap.toMs - gap.fromMs >= 2 * INTERVAL_MS) };
      return result;
    },
  };
}

const round = (value: number): number => Math.round(value * 10) / 10;
