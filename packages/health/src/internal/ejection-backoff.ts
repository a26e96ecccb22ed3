/**
 * How long each ejection lasts: `baseMs` x 2^(streak - 1), at most `maxMs` (Envoy's ejection
 * multiplier). A node that fails again soon after coming back stays out longer each time, which
 * is what bounds flapping; one that stayed up for `maxMs` starts a new streak.
 */
export class EjectionBackoff {
  readonly #baseMs: number;
  readonly #maxMs: number;
  #streak = 0;
  #lastRestoredAt: number | undefined;

  constructor(baseMs: number, maxMs: number) {
    this.#baseMs = baseMs;
    this.#maxMs = maxMs;
  }

  get streak(): number {
    return this.#streak;
  }

  get lastRestoredAt(): number | undefined {
    return this.#lastRestoredAt;
  }

  /** An ejection starts at `now`; `continued` when a probe failed (the node never came back). */
  next(now: number, continued: boolean): number {
    if (!continued && this.#lastRestoredAt !== undefined && now - this.#lastRestoredAt >= this.#maxMs) this.#streak = 0;
    this.#streak++;
    return Math.min(this.#baseMs * 2 ** (this.#streak - 1), this.#maxMs);
  }

  restored(now: number): void {
    this.#lastRestoredAt = now;
  }

  /** Resumes a saved streak (snapshot restore). */
  resume(streak: number, lastRestoredAt: number | undefined): void {
    this.#streak = streak;
    this.#lastRestoredAt = lastRestoredAt;
  }
}
