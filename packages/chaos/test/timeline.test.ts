import { describe, expect, it } from 'vitest';
import { bucketWidthMs, buildReport, buildTimeline, type OperationSample } from '../src/index.js';

describe('bucketWidthMs', () => {
  it('takes the smallest readable step that keeps a run within 120 buckets', () => {
    expect(bucketWidthMs(0)).toBe(10);
    expect(bucketWidthMs(1200)).toBe(10);
    expect(bucketWidthMs(1201)).toBe(20);
    expect(bucketWidthMs(3500)).toBe(50); // 70 buckets
    expect(bucketWidthMs(60_000)).toBe(500); // 120 buckets
    expect(bucketWidthMs(7_200_000)).toBe(60_000);
    expect(bucketWidthMs(7_200_001)).toBe(120_000);
  });
});

describe('buildTimeline', () => {
  it('cuts calls by their start into equal buckets, fleet-wide and per node (worked by hand)', () => {
    // 25 ms in buckets of 10: [0, 10), [10, 20), [20, 25).
    const timeline = buildTimeline(
      [
        { startMs: 0, endMs: 1, node: 'b', outcome: 'hit' }, // bucket 0, b: 1 ms
        { startMs: 9.9, endMs: 13.9, node: 'a', outcome: 'miss' }, // bucket 0, a: 4 ms
        { startMs: 10, endMs: 12, node: 'a', errorCode: 'ERR_TIMEOUT' }, // bucket 1, a: 2 ms
        { startMs: 11, endMs: 11.5, errorCode: 'ERR_NODE_UNAVAILABLE' }, // bucket 1, no node: 0.5 ms
        { startMs: 24, endMs: 30, node: 'a', outcome: 'stale' }, // bucket 2, a: 6 ms (stale came back: a hit)
        { startMs: 30, endMs: 31, node: 'a' }, // started after the end (clock late): the last bucket
      ],
      25,
      10,
    );
    expect(timeline.bucketMs).toBe(10);
    expect(timeline.durationMs).toBe(25);
    expect(timeline.samples).toEqual([
      { ops: 2, errors: 0, hits: 1, misses: 1, p50Ms: 1, p99Ms: 4, errorsByCode: {} },
      { ops: 2, errors: 2, hits: 0, misses: 0, p50Ms: 0.5, p99Ms: 2, errorsByCode: { ERR_TIMEOUT: 1, ERR_NODE_UNAVAILABLE: 1 } },
      { ops: 2, errors: 0, hits: 1, misses: 0, p50Ms: 1, p99Ms: 6, errorsByCode: {} },
    ]);
    expect(timeline.nodes).toEqual([
      {
        node: 'a',
        samples: [
          { ops: 1, errors: 0, hits: 0, misses: 1, p50Ms: 4, p99Ms: 4 },
          { ops: 1, errors: 1, hits: 0, misses: 0, p50Ms: 2, p99Ms: 2 },
          { ops: 2, errors: 0, hits: 1, misses: 0, p50Ms: 1, p99Ms: 6 },
        ],
      },
      {
        node: 'b',
        samples: [
          { ops: 1, errors: 0, hits: 1, misses: 0, p50Ms: 1, p99Ms: 1 },
          { ops: 0, errors: 0, hits: 0, misses: 0, p50Ms: null, p99Ms: null },
          { ops: 0, errors: 0, hits: 0, misses: 0, p50Ms: null, p99Ms: null },
        ],
      },
    ]);
  });

  it('has one bucket for a run of no length, and none per node without nodes', () => {
    const timeline = buildTimeline([], 0);
    expect(timeline.samples).toEqual([{ ops: 0, errors: 0, hits: 0, misses: 0, p50Ms: null, p99Ms: null, errorsByCode: {} }]);
    expect(timeline.nodes).toEqual([]);
  });

  it('is part of every report, from the same samples', () => {
    const sample = (startMs: number, node: string): OperationSample => ({ kind: 'get', phase: 'before', startMs, endMs: startMs + 1, node, outcome: 'hit' });
    const report = buildReport([sample(0, 'a'), sample(50, 'b'), sample(99, 'a')], [], 100, 'duration');
    expect(report.timeline.samples.map((bucket) => bucket.ops)).toEqual([1, ...Array.from({ length: 4 }, () => 0), 1, ...Array.from({ length: 3 }, () => 0), 1]);
    expect(report.timeline.nodes.map(({ node, samples }) => [node, samples.reduce((sum, bucket) => sum + bucket.ops, 0)])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });
});
