// A report's timeline as the five charts of its page: throughput, errors by code, hit rate,
// p50 and p99 latency. Each has the fleet's line (`all`) and one line per node (per error code
// for errors), one value per timeline sample: a browser test counts the points against the JSON.
import type { FaultRecord } from '../../scenario-report.js';
import type { NodeBucket, Timeline } from '../../timeline.js';
import type { ChartMark, ChartSeries, ChartSpec } from './chart.js';
import { count } from './markup.js';

const perSecond = (value: number, spanMs: number): number => (spanMs <= 0 ? 0 : (value * 1000) / spanMs);
const hitRate = (bucket: NodeBucket): number | null => (bucket.hits + bucket.misses === 0 ? null : (100 * bucket.hits) / (bucket.hits + bucket.misses));
const latencyTick = (ms: number): string => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);
/** A rate tick: whole numbers grouped, a half (the middle tick of a chart topping out at 1) as such. */
const rateTick = (value: number): string => (Number.isInteger(value) ? count(value) : String(value));

/** The charts for a timeline, with the faults shaded and the client's events marked on each. */
export function timelineCharts(timeline: Timeline, faults: readonly FaultRecord[], marks: readonly ChartMark[]): ChartSpec[] {
  const { bucketMs, durationMs, samples } = timeline;
  // A bucket's middle, and its real span (the last one may be cut short by the end of the run).
  const spanMs = samples.map((_, i) => Math.max(0, Math.min(bucketMs, durationMs - i * bucketMs)));
  const sampleMs = samples.map((_, i) => i * bucketMs + (spanMs[i] ?? bucketMs) / 2);
  const windows = faults.map((fault) => ({ node: fault.node, type: fault.type, fromMs: fault.appliedAtMs, toMs: fault.revertedAtMs }));
  const base = { durationMs, sampleMs, faults: windows, marks };
  const perNode = (value: (bucket: NodeBucket, i: number) => number | null): ChartSeries[] => [
    { key: 'all', label: 'all nodes', colour: 'all', values: samples.map(value) },
    ...timeline.nodes.map(({ node, samples: buckets }, index): ChartSeries => ({ key: node, label: node, colour: index, values: buckets.map(value) })),
  ];
  const codes = [...new Set(samples.flatMap((bucket) => Object.keys(bucket.errorsByCode)))].sort();
  return [
    {
      ...base, id: 'throughput', title: 'Throughput', unit: 'calls started per second', scale: 'linear', tick: rateTick,
      series: perNode((bucket, i) => perSecond(bucket.ops, spanMs[i] ?? bucketMs)),
    },
    {
      ...base, id: 'errors', title: 'Errors by code', unit: 'failed calls per second, by start', scale: 'linear', tick: rateTick,
      series: [
        { key: 'all', label: 'all errors', colour: 'all', values: samples.map((bucket, i) => perSecond(bucket.errors, spanMs[i] ?? bucketMs)) },
        ...codes.map((code, index): ChartSeries => ({ key: `code:${code}`, label: code, colour: index, values: samples.map((bucket, i) => perSecond(bucket.errorsByCode[code] ?? 0, spanMs[i] ?? bucketMs)) })),
      ],
    },
    { ...base, id: 'hit-rate', title: 'Hit rate', unit: '% of successful reads', scale: 'linear', tick: (value) => `${value} %`, series: perNode(hitRate) },
    { ...base, id: 'p50', title: 'Latency p50', unit: 'ms, per node', scale: 'log', tick: latencyTick, series: perNode((bucket) => bucket.p50Ms) },
    { ...base, id: 'p99', title: 'Latency p99', unit: 'ms, per node', scale: 'log', tick: latencyTick, series: perNode((bucket) => bucket.p99Ms) },
  ];
}
