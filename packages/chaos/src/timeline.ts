import { percentile } from './internal/percentile.js';

/** One call as the timeline counts it (a subset of `OperationSample`; times from the scenario's start, in ms). */
export interface TimelineCall {
  readonly startMs: number;
  readonly endMs: number;
  /** The node the call's key was placed on when it started; undefined when unknown. */
  readonly node?: string;
  /** Undefined when the call succeeded. */
  readonly errorCode?: string;
  /** For reads that succeeded: hit (stale and wrong values came back too, so they count) or miss. */
  readonly outcome?: 'hit' | 'miss' | 'stale' | 'wrong';
}

/** What one node did in one bucket; latencies are null when no call started there. */
export interface NodeBucket {
  readonly ops: number;
  readonly errors: number;
  readonly hits: number;
  readonly misses: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/** What the whole fleet did in one bucket. */
export interface TimelineBucket extends NodeBucket {
  readonly errorsByCode: Readonly<Record<string, number>>;
}

/**
 * The scenario cut into equal buckets of `bucketMs` by each call's start: `samples[i]` covers
 * [i x bucketMs, (i + 1) x bucketMs), the last one up to `durationMs`. Every node has exactly as
 * many samples as the fleet, so series line up. Plain JSON.
 */
export interface Timeline {
  readonly bucketMs: number;
  readonly durationMs: number;
  readonly samples: readonly TimelineBucket[];
  /** Nodes by id, sorted; calls without a node count only in `samples`. */
  readonly nodes: readonly { readonly node: string; readonly samples: readonly NodeBucket[] }[];
}

/** Bucket widths a person reads at a glance; the first that keeps a run to at most `MAX_BUCKETS`. */
const BUCKET_STEPS_MS = [10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000];
const MAX_BUCKETS = 120;

/**
 * The bucket width for a run of `durationMs`: the smallest readable step that gives at most
 * 120 buckets (a chart point every few pixels at 1280 px), at least 10 ms.
 *
 * @example
 * bucketWidthMs(3500); // 50 (70 buckets)
 * bucketWidthMs(60_000); // 500 (120 buckets)
 */
export function bucketWidthMs(durationMs: number): number {
  return BUCKET_STEPS_MS.find((step) => step * MAX_BUCKETS >= durationMs) ?? Math.ceil(durationMs / MAX_BUCKETS / 60_000) * 60_000;
}

/**
 * Cuts calls into a timeline by their start (pure: tests feed calls by hand). Percentiles are
 * nearest-rank over every call of the bucket, failed ones included, as the report's phases.
 *
 * @example
 * const timeline = buildTimeline([{ startMs: 5, endMs: 7, node: 'a', outcome: 'hit' }], 100);
 * timeline.samples.length; // 10 buckets of 10 ms
 */
export function buildTimeline(calls: readonly TimelineCall[], durationMs: number, bucketMs = bucketWidthMs(durationMs)): Timeline {
  const count = Math.max(1, Math.ceil(durationMs / bucketMs));
  const fleet = Array.from({ length: count }, (): TimelineCall[] => []);
  const byNode = new Map<string, TimelineCall[][]>();
  for (const call of calls) {
    const index = Math.min(count - 1, Math.max(0, Math.floor(call.startMs / bucketMs)));
    fleet[index]?.push(call);
    if (call.node === undefined) continue;
    let buckets = byNode.get(call.node);
    if (buckets === undefined) {
      buckets = Array.from({ length: count }, (): TimelineCall[] => []);
      byNode.set(call.node, buckets);
    }
    buckets[index]?.push(call);
  }
  return {
    bucketMs,
    durationMs,
    samples: fleet.map((bucket) => {
      const errorsByCode: Record<string, number> = {};
      for (const call of bucket) if (call.errorCode !== undefined) errorsByCode[call.errorCode] = (errorsByCode[call.errorCode] ?? 0) + 1;
      return { ...nodeBucket(bucket), errorsByCode };
    }),
    nodes: [...byNode.keys()].sort().map((node) => ({ node, samples: (byNode.get(node) ?? []).map(nodeBucket) })),
  };
}

function nodeBucket(calls: readonly TimelineCall[]): NodeBucket {
  const sorted = calls.map((call) => call.endMs - call.startMs).sort((a, b) => a - b);
  const misses = calls.filter((call) => call.outcome === 'miss').length;
  const reads = calls.filter((call) => call.outcome !== undefined).length;
  return {
    ops: calls.length,
    errors: calls.filter((call) => call.errorCode !== undefined).length,
    hits: reads - misses,
    misses,
    p50Ms: sorted.length === 0 ? null : round(percentile(sorted, 50)),
    p99Ms: sorted.length === 0 ? null : round(percentile(sorted, 99)),
  };
}

/** To 0.01 ms: the JSON stays readable, and nothing on a chart is finer. */
const round = (ms: number): number => Math.round(ms * 100) / 100;
