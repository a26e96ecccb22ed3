/** One node's counters as a plain snapshot (`client.stats.nodes[id]`). */
export interface NodeStatsSnapshot {
  readonly calls: number;
  readonly hits: number;
  readonly misses: number;
  /** Failed calls by error code (`ERR_TIMEOUT`, `ERR_CONNECTION`, ...). */
  readonly errors: Readonly<Record<string, number>>;
  readonly timeouts: number;
  readonly inFlight: number;
  /** Value bytes read from and written to the node. */
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Latency percentiles in milliseconds over health's rolling window (undefined: no samples). */
  readonly p50: number | undefined;
  readonly p99: number | undefined;
}

/** Mutable counters behind one node's snapshot. Recording is a few additions. */
export class NodeStats {
  calls = 0;
  hits = 0;
  misses = 0;
  timeouts = 0;
  inFlight = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly errors = new Map<string, number>();

  recordError(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
    if (code === 'ERR_TIMEOUT') this.timeouts++;
  }

  /** Latency comes from the node's health window, which already keeps one. */
  snapshot(latency: { readonly p50Ms: number | undefined; readonly p99Ms: number | undefined }): NodeStatsSnapshot {
    return {
      calls: this.calls,
      hits: this.hits,
      misses: this.misses,
      errors: Object.fromEntries(this.errors),
      timeouts: this.timeouts,
      inFlight: this.inFlight,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      p50: latency.p50Ms,
      p99: latency.p99Ms,
    };
  }
}
