/** Totals over the rolling window, or since the node was created. */
export interface WindowCounts {
  readonly requests: number;
  readonly failures: number;
  readonly timeouts: number;
}

/** Latency percentiles over the samples of the rolling window. */
export interface LatencySummary {
  readonly samples: number;
  readonly p50Ms: number | undefined;
  readonly p99Ms: number | undefined;
}

/**
 * Request counts in time buckets plus a ring buffer of latency samples, rotated by a timer
 * (`rotate()` every bucket) rather than by reading the clock per request: recording a success
 * is three field writes and one array store. Percentiles are computed only when asked.
 */
export class RollingWindow {
  // The bucket being filled lives in plain fields (the hot path); `rotate()` files it away.
  #requests = 0;
  #failures = 0;
  #timeouts = 0;
  readonly #pastRequests: Float64Array;
  readonly #pastFailures: Float64Array;
  readonly #pastTimeouts: Float64Array;
  // How many latency samples had been written when each past bucket, and the current one, opened.
  readonly #sampleMarks: Float64Array;
  #openedAt = 0;
  #bucket = 0;
  #retired: WindowCounts = { requests: 0, failures: 0, timeouts: 0 };

  readonly #samples: Float64Array;
  #next = 0;
  #written = 0;

  /** `buckets` past buckets are kept besides the current one; `capacity` latency samples at most. */
  constructor(buckets: number, capacity: number) {
    this.#pastRequests = new Float64Array(buckets);
    this.#pastFailures = new Float64Array(buckets);
    this.#pastTimeouts = new Float64Array(buckets);
    this.#sampleMarks = new Float64Array(buckets);
    this.#samples = new Float64Array(capacity);
  }

  success(latencyMs: number): void {
    this.#requests++;
    this.#samples[this.#next] = latencyMs;
    if (++this.#next === this.#samples.length) this.#next = 0;
    this.#written++;
  }

  /** A timeout's latency is kept (it is the tail the p99 must show); a fast failure's is not. */
  failure(latencyMs: number, timeout: boolean): void {
    this.#requests++;
    this.#failures++;
    if (timeout) {
      this.#timeouts++;
      this.#samples[this.#next] = latencyMs;
      if (++this.#next === this.#samples.length) this.#next = 0;
      this.#written++;
    }
  }

  /** Closes the current bucket; the oldest one leaves the window. */
  rotate(): void {
    const slot = this.#bucket;
    this.#retired = {
      requests: this.#retired.requests + at(this.#pastRequests, slot),
      failures: this.#retired.failures + at(this.#pastFailures, slot),
      timeouts: this.#retired.timeouts + at(this.#pastTimeouts, slot),
    };
    this.#pastRequests[slot] = this.#requests;
    this.#pastFailures[slot] = this.#failures;
    this.#pastTimeouts[slot] = this.#timeouts;
    this.#sampleMarks[slot] = this.#openedAt;
    this.#openedAt = this.#written;
    this.#requests = 0;
    this.#failures = 0;
    this.#timeouts = 0;
    this.#bucket = (slot + 1) % this.#pastRequests.length;
  }

  /** Forgets the window (a node back from ejection starts afresh); lifetime totals stay. */
  clear(): void {
    const lifetime = this.totals();
    this.#pastRequests.fill(0);
    this.#pastFailures.fill(0);
    this.#pastTimeouts.fill(0);
    this.#requests = 0;
    this.#failures = 0;
    this.#timeouts = 0;
    this.#retired = lifetime;
    this.#sampleMarks.fill(this.#written);
    this.#openedAt = this.#written;
  }

  counts(): WindowCounts {
    return {
      requests: this.#requests + sum(this.#pastRequests),
      failures: this.#failures + sum(this.#pastFailures),
      timeouts: this.#timeouts + sum(this.#pastTimeouts),
    };
  }

  totals(): WindowCounts {
    const window = this.counts();
    return {
      requests: this.#retired.requests + window.requests,
      failures: this.#retired.failures + window.failures,
      timeouts: this.#retired.timeouts + window.timeouts,
    };
  }

  /** Window counts, lifetime totals and latency percentiles, as `NodeStats` names them. */
  summary(): WindowCounts & LatencySummary & { readonly totalRequests: number; readonly totalFailures: number; readonly totalTimeouts: number } {
    const totals = this.totals();
    const { samples, p50Ms, p99Ms } = this.latency();
    return { ...this.counts(), totalRequests: totals.requests, totalFailures: totals.failures, totalTimeouts: totals.timeouts, samples, p50Ms, p99Ms };
  }

  latency(): LatencySummary {
    // The slot to be overwritten next holds the window's oldest bucket.
    const oldest = at(this.#sampleMarks, this.#bucket);
    const samples = Math.min(this.#written - oldest, this.#samples.length);
    if (samples === 0) return { samples: 0, p50Ms: undefined, p99Ms: undefined };
    const sorted = new Float64Array(samples);
    for (let i = 0, index = this.#next; i < samples; i++) {
      index = index === 0 ? this.#samples.length - 1 : index - 1;
      sorted[i] = at(this.#samples, index);
    }
    sorted.sort();
    return { samples, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
  }
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  return at(sorted, Math.max(0, Math.ceil(p * sorted.length) - 1));
}

function sum(values: Float64Array): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function at(values: Float64Array, index: number): number {
  return values[index] ?? 0;
}
