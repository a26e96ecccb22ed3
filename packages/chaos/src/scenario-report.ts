import type { FaultCounters } from './faults.js';
import { percentile } from './internal/percentile.js';
import { buildTimeline, type Timeline } from './timeline.js';

/** Where an operation started relative to the fault schedule. */
export type ScenarioPhase = 'before' | 'during' | 'after';

/** One operation as the scenario saw it (times from the scenario's start, in ms). */
export interface OperationSample {
  readonly kind: 'get' | 'set';
  readonly phase: ScenarioPhase;
  readonly startMs: number;
  readonly endMs: number;
  /** The node the key was placed on when the call started (`ScenarioOptions.nodeOf`); undefined when unknown. */
  readonly node?: string;
  /** Undefined when the call succeeded; else the error's `code` (or name). */
  readonly errorCode?: string;
  readonly outcome?: 'hit' | 'miss' | 'stale' | 'wrong';
}

/** Latency of one phase, in ms (nearest-rank percentiles over every call, failed ones included). */
export interface PhaseStats {
  readonly ops: number;
  readonly errors: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** What a fault did during the scenario. */
export interface FaultRecord {
  readonly node: string;
  readonly type: string;
  readonly appliedAtMs: number;
  readonly revertedAtMs: number;
  readonly counters: FaultCounters;
}

/**
 * The outcome of a scenario, as plain JSON.
 *
 * @example
 * const report = await runScenario({ target, maxOps: 1000 });
 * console.log(JSON.stringify(report), formatReport(report));
 */
export interface ScenarioReport {
  readonly ops: number;
  readonly gets: number;
  readonly sets: number;
  readonly hits: number;
  readonly misses: number;
  /** hits / successful gets (0 when none). */
  readonly hitRate: number;
  readonly errors: number;
  readonly errorsByCode: Readonly<Record<string, number>>;
  readonly phases: Readonly<Record<ScenarioPhase, PhaseStats>>;
  readonly maxCallMs: number;
  /** From the first fault's start to the end of the first failed call after it; null without errors. */
  readonly timeToFirstErrorMs: number | null;
  /** From the last fault's revert to the first success started after it and after the last error; null if no error or never. */
  readonly timeToRecoveryMs: number | null;
  /** Reads of an older version than the last acknowledged write when the read started. */
  readonly staleReads: number;
  /** Reads of another key's value or of a version never written. */
  readonly wrongValues: number;
  readonly durationMs: number;
  readonly stoppedBy: 'maxOps' | 'duration';
  /** Open-loop starts skipped because `concurrency` calls were in flight (0 in a closed loop). */
  readonly skippedStarts: number;
  /**
   * Of `skippedStarts`, those reached 10 ms or more after they were due: a stall of this process
   * bunched them into one turn (the skips a loop that keeps up can still have on shared cores).
   */
  readonly skippedLateStarts: number;
  readonly faults: readonly FaultRecord[];
  /** The run over time, fleet-wide and per node: what the report's HTML page plots. */
  readonly timeline: Timeline;
}

const PHASES: readonly ScenarioPhase[] = ['before', 'during', 'after'];

/** Builds the report from the samples; pure, so tests can feed it samples by hand. */
export function buildReport(samples: readonly OperationSample[], faults: readonly FaultRecord[], durationMs: number, stoppedBy: 'maxOps' | 'duration', skippedStarts = 0, skippedLateStarts = 0): ScenarioReport {
  const errorsByCode: Record<string, number> = {};
  for (const sample of samples) if (sample.errorCode !== undefined) errorsByCode[sample.errorCode] = (errorsByCode[sample.errorCode] ?? 0) + 1;
  const count = (predicate: (sample: OperationSample) => boolean): number => samples.filter(predicate).length;
  const gets = samples.filter((sample) => sample.kind === 'get');
  const hits = count((sample) => sample.outcome === 'hit' || sample.outcome === 'stale' || sample.outcome === 'wrong');
  const misses = count((sample) => sample.outcome === 'miss');
  const failures = samples.filter((sample) => sample.errorCode !== undefined);
  const firstApplied = faults.length === 0 ? undefined : Math.min(...faults.map((fault) => fault.appliedAtMs));
  const lastReverted = faults.length === 0 ? undefined : Math.max(...faults.map((fault) => fault.revertedAtMs));
  const firstError = failures.filter((sample) => sample.endMs >= (firstApplied ?? 0)).sort((a, b) => a.endMs - b.endMs)[0];
  const lastErrorEnd = failures.reduce((latest, sample) => Math.max(latest, sample.endMs), -Infinity);
  const recoveredFrom = Math.max(lastReverted ?? 0, lastErrorEnd);
  const recovery = samples.filter((sample) => sample.errorCode === undefined && sample.startMs >= recoveredFrom).sort((a, b) => a.endMs - b.endMs)[0];
  return {
    ops: samples.length,
    gets: gets.length,
    sets: samples.length - gets.length,
    hits,
    misses,
    hitRate: hits + misses === 0 ? 0 : hits / (hits + misses),
    errors: failures.length,
    errorsByCode,
    phases: Object.fromEntries(PHASES.map((phase) => [phase, phaseStats(samples.filter((sample) => sample.phase === phase))])) as Record<ScenarioPhase, PhaseStats>,
    maxCallMs: samples.reduce((max, sample) => Math.max(max, sample.endMs - sample.startMs), 0),
    timeToFirstErrorMs: firstError === undefined ? null : firstError.endMs - (firstApplied ?? 0),
    timeToRecoveryMs: failures.length === 0 || recovery === undefined ? null : recovery.endMs - (lastReverted ?? recoveredFrom),
    staleReads: count((sample) => sample.outcome === 'stale'),
    wrongValues: count((sample) => sample.outcome === 'wrong'),
    durationMs,
    stoppedBy,
    skippedStarts,
    skippedLateStarts,
    faults,
    timeline: buildTimeline(samples, durationMs),
  };
}

function phaseStats(samples: readonly OperationSample[]): PhaseStats {
  const sorted = samples.map((sample) => sample.endMs - sample.startMs).sort((a, b) => a - b);
  return {
    ops: samples.length,
    errors: samples.filter((sample) => sample.errorCode !== undefined).length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
  };
}

/**
 * The report as a fixed-width text table, for terminals and CI logs.
 *
 * @example
 * console.log(formatReport(await runScenario({ target, maxOps: 500 })));
 */
export function formatReport(report: ScenarioReport): string {
  const ms = (value: number | null): string => (value === null ? '-' : `${value.toFixed(1)} ms`);
  const rows: [string, string][] = [
    ['ops', `${report.ops} (${report.gets} get, ${report.sets} set), stopped by ${report.stoppedBy} after ${ms(report.durationMs)}`],
    ['hit rate', `${(report.hitRate * 100).toFixed(1)} % (${report.hits} hits, ${report.misses} misses)`],
    ['errors', report.errors === 0 ? '0' : `${report.errors} (${Object.entries(report.errorsByCode).map(([code, n]) => `${code} ${n}`).join(', ')})`],
    ...PHASES.map((phase): [string, string] => {
      const stats = report.phases[phase];
      return [`${phase} fault`, `${stats.ops} ops, ${stats.errors} errors, p50 ${ms(stats.p50)}, p90 ${ms(stats.p90)}, p99 ${ms(stats.p99)}, max ${ms(stats.max)}`];
    }),
    ['max call', ms(report.maxCallMs)],
    ['first error', ms(report.timeToFirstErrorMs)],
    ['recovery', ms(report.timeToRecoveryMs)],
    ['stale reads', String(report.staleReads)],
    ['wrong values', String(report.wrongValues)],
    ...report.faults.map((fault): [string, string] => [
      `fault ${fault.type}`,
      `${fault.node} ${ms(fault.appliedAtMs)}..${ms(fault.revertedAtMs)}: ${Object.entries(fault.counters).filter(([, n]) => n > 0).map(([name, n]) => `${name} ${n}`).join(', ') || 'no counters'}`,
    ]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}
