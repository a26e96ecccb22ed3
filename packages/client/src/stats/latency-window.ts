/**
 * The most recent latencies of one node in a fixed ring buffer: recording is one array write,
 * percentiles are computed only when a snapshot asks for them.
 */
export class LatencyWindow {
  readonly #samples: Float64Array;
  #next = 0;
  #count = 0;

  constructor(size = 1024) {
    this.#samples = new Float64Array(size);
  }

  record(ms: number): void {
    this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#samples.length;
    if (this.#count < this.#samples.length) this.#count++;
  }

  /** The q-quantile (0..1) of the window by nearest rank, or 0 when empty. */
  percentile(q: number): number {
    if (this.#count === 0) return 0;
    const sorted = this.#samples.slice(0, this.#count).sort();
    const rank = Math.min(this.#count - 1, Math.max(0, Math.ceil(q * this.#count) - 1));
    return sorted[rank] ?? 0;
  }
}
