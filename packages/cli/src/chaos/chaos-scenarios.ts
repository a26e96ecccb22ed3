import type { ClientHealthOptions } from '@shardcache/client';
import type { Fault, FaultCounters, ReportCheck, ScenarioReport } from '@shardcache/chaos';

/** The scenarios `shardcache chaos` runs, as the chaos suite plays them. */
export const SCENARIOS = ['kill', 'pause', 'latency', 'blackhole', 'flap', 'corrupt', 'kill-half', 'kill-all'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/**
 * One scenario: which nodes get which fault, when (as shares of the run), how the client is
 * tuned for it, and the counter that proves the fault took effect.
 */
export interface ScenarioPlan {
  readonly name: ScenarioName;
  readonly summary: string;
  /** Only against a fleet this command starts: the fault signals a server process (or, for flap, needs applyFault). */
  readonly localOnly: boolean;
  /** Victims by position in the fleet of `nodes`. */
  victims(nodes: number): number[];
  readonly fault: Fault;
  /** Applied at this share of the run, for this share (kill without a revert: until the end). */
  readonly atShare: number;
  readonly forShare: number;
  readonly timeoutMs: number;
  readonly health: ClientHealthOptions;
  /** The counter that shows the fault did something, read over all victims. */
  readonly proof: { readonly counter: keyof FaultCounters; readonly atLeast: (victims: number) => number };
  /** Also require calls to succeed again after the faults were reverted. */
  readonly recovers: boolean;
}

/** Quick to eject and to let nodes back, so a scenario fits in a few seconds (the chaos suite's values, with more slack for a loaded machine). */
const FAST_HEALTH: ClientHealthOptions = { serverFailureLimit: 2, serverRetryTimeout: 300, maxEjectionMs: 600, probeIntervalMs: 100, probeJitter: 0, successThreshold: 2 };
const one = (): number[] => [1];

/** Every scenario's plan, by name. */
export const PLANS: Readonly<Record<ScenarioName, ScenarioPlan>> = {
  kill: {
    name: 'kill', summary: 'SIGKILL one node and keep it down', localOnly: true, victims: one,
    fault: { type: 'kill' }, atShare: 0.25, forShare: 1, timeoutMs: 250, health: FAST_HEALTH,
    proof: { counter: 'kills', atLeast: (n) => n }, recovers: false,
  },
  pause: {
    name: 'pause', summary: 'SIGSTOP one node (it keeps its data), SIGCONT it later', localOnly: true, victims: one,
    fault: { type: 'pause' }, atShare: 0.25, forShare: 0.4, timeoutMs: 250, health: FAST_HEALTH,
    proof: { counter: 'pauses', atLeast: (n) => n }, recovers: true,
  },
  latency: {
    name: 'latency', summary: '200 ms more on every reply of one node (through its fault proxy)', localOnly: false, victims: one,
    fault: { type: 'latency', ms: 200, direction: 'downstream' }, atShare: 0.25, forShare: 0.5, timeoutMs: 500,
    health: { ...FAST_HEALTH, windowMs: 2000, bucketMs: 250, outlierWindowMs: 500, outlierMinSamples: 20, outlierFactor: 3, ejectOutliers: true },
    proof: { counter: 'bytesHeld', atLeast: () => 1 }, recovers: true,
  },
  blackhole: {
    name: 'blackhole', summary: 'one node accepts connections and never answers (through its fault proxy)', localOnly: false, victims: one,
    fault: { type: 'blackhole' }, atShare: 0.25, forShare: 0.4, timeoutMs: 250, health: FAST_HEALTH,
    proof: { counter: 'bytesDropped', atLeast: () => 1 }, recovers: true,
  },
  flap: {
    name: 'flap', summary: 'one node blackholed for 300 ms, sound for 300 ms, over and over', localOnly: true, victims: one,
    fault: { type: 'flap', fault: { type: 'blackhole' }, periodMs: 300 }, atShare: 0.2, forShare: 0.5, timeoutMs: 250,
    health: { serverFailureLimit: 2, serverRetryTimeout: 1000, maxEjectionMs: 1000, probeIntervalMs: 200, probeJitter: 0, successThreshold: 3 },
    proof: { counter: 'flaps', atLeast: (n) => n }, recovers: true,
  },
  corrupt: {
    name: 'corrupt', summary: "one node's replies replaced by random bytes (through its fault proxy)", localOnly: false, victims: one,
    fault: { type: 'corrupt', mode: 'garbage' }, atShare: 0.25, forShare: 0.4, timeoutMs: 250, health: FAST_HEALTH,
    proof: { counter: 'bytesAltered', atLeast: () => 1 }, recovers: true,
  },
  'kill-half': {
    name: 'kill-half', summary: 'SIGKILL every other node (half the fleet) and keep them down', localOnly: true,
    victims: (nodes) => Array.from({ length: Math.floor(nodes / 2) }, (_, i) => 2 * i),
    fault: { type: 'kill' }, atShare: 0.25, forShare: 1, timeoutMs: 250, health: FAST_HEALTH,
    proof: { counter: 'kills', atLeast: (n) => n }, recovers: false,
  },
  'kill-all': {
    name: 'kill-all', summary: 'SIGKILL every node, restart them all (empty) later', localOnly: true,
    victims: (nodes) => Array.from({ length: nodes }, (_, i) => i),
    fault: { type: 'kill' }, atShare: 0.25, forShare: 0.3, timeoutMs: 250, health: FAST_HEALTH,
    proof: { counter: 'kills', atLeast: (n) => n }, recovers: true,
  },
};

/** Error codes a failed call may carry: the client's and health's documented codes. */
export const TYPED_ERROR_CODES: readonly string[] = ['ERR_TIMEOUT', 'ERR_CONNECTION', 'ERR_NODE_UNAVAILABLE', 'ERR_BREAKER_OPEN', 'ERR_OVERLOADED', 'ERR_DECODE', 'ERR_SERVER'];

/** One check of a scenario's outcome (the shape a report page shows). */
export type ScenarioCheck = ReportCheck;

/** What must hold after the scenario: no wrong or stale value, no hung or untyped failure, the fault bit (and recovery where the faults were reverted). */
export function checkScenario(plan: ScenarioPlan, report: ScenarioReport, victims: number): ScenarioCheck[] {
  const hung = report.errorsByCode['ERR_CALL_TIMEOUT'] ?? 0;
  const untyped = Object.entries(report.errorsByCode).filter(([code]) => !TYPED_ERROR_CODES.includes(code) && code !== 'ERR_CALL_TIMEOUT');
  const counter = plan.proof.counter;
  const proof = report.faults.reduce((sum, fault) => sum + fault.counters[counter], 0);
  const needed = plan.proof.atLeast(victims);
  const checks: ScenarioCheck[] = [
    { name: 'no wrong value read', ok: report.wrongValues === 0, detail: `wrong values ${report.wrongValues}` },
    { name: 'no stale value read (rejoin safety)', ok: report.staleReads === 0, detail: `stale reads ${report.staleReads}` },
    { name: 'no call hung past its deadline', ok: hung === 0, detail: `ERR_CALL_TIMEOUT ${hung}, longest call ${report.maxCallMs.toFixed(1)} ms` },
    { name: 'every failure has a client error code', ok: untyped.length === 0, detail: untyped.length === 0 ? `${report.errors} errors` : `untyped: ${untyped.map(([code, n]) => `${code} ${n}`).join(', ')}` },
    { name: 'the fault took effect', ok: proof >= needed, detail: `${counter} ${proof} (at least ${needed})` },
  ];
  if (plan.recovers) {
    checks.push({ name: 'calls succeed again after the fault', ok: report.errors === 0 || report.timeToRecoveryMs !== null, detail: report.timeToRecoveryMs === null ? (report.errors === 0 ? 'no error at all' : 'no success after the last error') : `recovered ${report.timeToRecoveryMs.toFixed(0)} ms after the revert` });
  }
  return checks;
}
