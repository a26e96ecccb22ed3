/**
 * The nodes whose p99 is above `factor` times the median p99 of the *other* nodes and above
 * `minLatencyMs`. Leaving the node out of its own reference keeps a two-node fleet workable
 * (with itself included, a median of two could never be exceeded k-fold for k >= 2) and keeps
 * one slow node from raising the bar it is measured against.
 */
export function findOutliers(p99s: ReadonlyMap<string, number>, factor: number, minLatencyMs: number): Set<string> {
  const outliers = new Set<string>();
  if (p99s.size < 2) return outliers;
  const sorted = [...p99s.values()].sort((a, b) => a - b);
  for (const [node, p99] of p99s) {
    if (p99 <= minLatencyMs) continue;
    if (p99 > factor * medianWithout(sorted, p99)) outliers.add(node);
  }
  return outliers;
}

/** Median of `sorted` with one occurrence of `value` removed. */
function medianWithout(sorted: readonly number[], value: number): number {
  const others = [...sorted];
  others.splice(others.indexOf(value), 1);
  const middle = others.length >> 1;
  const upper = others[middle] ?? 0;
  return others.length % 2 === 1 ? upper : ((others[middle - 1] ?? upper) + upper) / 2;
}
