// Shared by the chaos scenarios: a scenario target that remembers every call (the node its key
// went to, when, what came back), ring events with their times, window statistics, and the
// report files (JSON and an HTML page each) the summary table and the index are built from.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  fleetNames,
  recordClientEvents,
  renderScenarioPage,
  runScenario,
  watchEventLoop,
  type ActiveFault,
  type Fleet,
  type FleetNode,
  type LoopStalls,
  type ReportCheck,
  type ScenarioOptions,
  type ScenarioPage,
  type ScenarioReport,
  type ScenarioTarget,
  type TimelineEvent,
} from '@shardcache/chaos';
import { ShardedClient, type ClientHealthOptions, type ShardedClientOptions } from '@shardcache/client';

export const BACKENDS = ['memcached', 'redis'] as const;
export type Backend = (typeof BACKENDS)[number];

export const serversOf = (fleet: Fleet, backend: Backend): readonly FleetNode[] => (backend === 'redis' ? fleet.redis : fleet.memcached);

/** Per-call deadline of the scenarios' clients. */
export const TIMEOUT_MS = 100;
/** Fast detection and return, so each scenario needs only a few seconds of load. */
export const FAST_HEALTH = {
  serverFailureLimit: 2,
  serverRetryTimeout: 300,
  maxEjectionMs: 600,
  probeIntervalMs: 100,
  probeJitter: 0,
  successThreshold: 2,
} as const satisfies ClientHealthOptions;

/** Rejoin's flap damping: a restored node must stay up this long before it serves again (default 1 s). */
export const STABLE_MS = 100;

/**
 * The longest pause a node takes between reconnects (the client's default node factory: health
 * does the long waits). A node that reset its connection in a fault may wait this long before a
 * probe finds it connected again.
 */
export const RECONNECT_MAX_MS = 250;

/**
 * How long a node's handshake may wait for its server (the client's default, set explicitly so
 * bounds can use it). A handshake whose bytes a fault dropped or garbled hangs until then.
 */
export const CONNECT_TIMEOUT_MS = 1000;

/** A client over `nodes` with the chaos defaults (`TIMEOUT_MS`, `FAST_HEALTH`, `STABLE_MS`, `CONNECT_TIMEOUT_MS`), overridable. */
export function chaosClient(backend: Backend, nodes: readonly string[], options: Omit<ShardedClientOptions, 'backend' | 'nodes'> = {}): ShardedClient {
  const resolved: ShardedClientOptions = {
    timeoutMs: TIMEOUT_MS,
    ...options,
    backend,
    nodes,
    connection: { connectTimeoutMs: CONNECT_TIMEOUT_MS, ...options.connection },
    health: { ...FAST_HEALTH, ...options.health },
    rejoin: { stableMs: STABLE_MS, ...options.rejoin },
  };
  const client = new ShardedClient(resolved);
  clientOptions.set(client, resolved);
  return client;
}

/** The options each chaos client was made with, for its page's settings. */
const clientOptions = new WeakMap<ShardedClient, ShardedClientOptions>();

/** Where each scenario writes `<scenario>.<backend>.json` (gitignored). */
export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/**
 * Error codes a failing call may carry (the client's and health's documented codes). Anything
 * else, and the scenario's own ERR_CALL_TIMEOUT (a call that hung), fails a chaos check.
 */
export const TYPED_ERROR_CODES: readonly string[] = ['ERR_TIMEOUT', 'ERR_CONNECTION', 'ERR_NODE_UNAVAILABLE', 'ERR_BREAKER_OPEN', 'ERR_OVERLOADED', 'ERR_DECODE', 'ERR_SERVER'];

/** Codes in `errorsByCode` that are not typed client errors (so the list should be empty). */
export function untypedCodes(report: ScenarioReport): string[] {
  return Object.keys(report.errorsByCode).filter((code) => !TYPED_ERROR_CODES.includes(code));
}

/** One call as the target saw it; times in ms since its `RecordingTarget.run()` began. */
export interface CallRecord {
  readonly kind: 'get' | 'set';
  /** The scenario's key (without the target's prefix). */
  readonly key: string;
  /** The node the key was placed on when the call started (undefined: none). */
  readonly node: string | undefined;
  readonly startMs: number;
  readonly endMs: number;
  readonly errorCode: string | undefined;
  /** For gets that succeeded: whether a value came back. */
  readonly hit: boolean | undefined;
  /** For gets: the value's version is older than the last acknowledged write when the read began (the report's rule). */
  readonly stale: boolean;
}

/**
 * The scenario's target over a `ShardedClient`. Keys get a per-run prefix, so runs never read
 * each other's values, and every call is recorded with its node, so checks can look at one node
 * or one time window (the scenario report is fleet-wide and per phase).
 */
export class RecordingTarget implements ScenarioTarget {
  readonly calls: CallRecord[] = [];
  /** What the client announced during the last run, for its page: ejections, restores, membership changes. */
  readonly events: TimelineEvent[];
  #origin = performance.now();
  #load: Omit<ScenarioOptions, 'target'> = {};

  /** A client node (a server's or its proxy's address) as its page names it: the fleet's id, as the faults name it. */
  readonly #nameOf: (node: string) => string;

  constructor(
    readonly client: ShardedClient,
    readonly prefix: string,
    /** The client's per-call deadline, for `loopHeld`. */
    readonly timeoutMs = TIMEOUT_MS,
    /** The fleet's nodes, so the page names each node one way (calls still record addresses). */
    fleetNodes: readonly FleetNode[] = [],
  ) {
    this.#nameOf = fleetNames(fleetNodes);
    this.events = recordClientEvents(client, () => this.now());
  }

  /** The client's events of the last run, each node named as the page names it. */
  get pageEvents(): TimelineEvent[] {
    return this.events.map((event) => (event.node === undefined ? event : { ...event, node: this.#nameOf(event.node) }));
  }

  /** The settings in force in the last run: the client's options and the load's. */
  get settings(): Record<string, unknown> {
    const { faults = [], ...load } = this.#load;
    return { client: clientOptions.get(this.client), load: { ...load, faults: faults.map((fault) => `at ${fault.atMs} ms for ${fault.durationMs} ms`) } };
  }

  /** How late the event loop ran during the last `run` (a stall delays every timer, deadlines included); stalls in the target's time. */
  stalls: LoopStalls = { longestMs: 0, totalMs: 0, stalls: [] };

  /** The p99 of the last run's calls before its first fault (all its calls without faults). */
  noFaultP99Ms = 0;

  /** The slowest call of the last run before its first fault: how late a sound server answered here. */
  noFaultMaxMs = 0;

  /** `runScenario` against this target. Times restart at 0 here (as the report's do), and the event loop is watched. */
  async run(options: Omit<ScenarioOptions, 'target'>): Promise<ScenarioReport> {
    const watch = watchEventLoop();
    this.#origin = performance.now();
    this.#lastEnd = this.#origin;
    this.#load = options;
    // Only the run's own events: earlier ones (the client's start) would sit before its time axis.
    this.events.length = 0;
    try {
      const report = await runScenario({
        ...options,
        target: this,
        nodeOf: (key) => {
          const node = this.client.locate(this.prefix + key);
          return node === undefined ? undefined : this.#nameOf(node);
        },
      });
      this.noFaultP99Ms = report.phases.before.p99;
      this.noFaultMaxMs = report.phases.before.max;
      return report;
    } finally {
      // Up to the last call's end: building the report (sorting every sample) stalls the loop too.
      const stalls = watch.stop(this.#lastEnd);
      const origin = this.#origin;
      this.stalls = { ...stalls, stalls: stalls.stalls.map((stall) => ({ fromMs: stall.fromMs - origin, toMs: stall.toMs - origin })) };
    }
  }

  /** The last run's lateness for the summary table: longest stall, stalls added up, no-fault p99. */
  get lateness(): { loopStallMs: number; loopStalledMs: number; noFaultP99Ms: number } {
    return { loopStallMs: this.stalls.longestMs, loopStalledMs: this.stalls.totalMs, noFaultP99Ms: ms(this.noFaultP99Ms) };
  }

  now(): number {
    return performance.now() - this.#origin;
  }

  readonly #acknowledged = new Map<string, number>();
  /** When the last call ended (`performance.now()`). */
  #lastEnd = 0;

  readonly get = async (key: string): Promise<string | undefined> => {
    const value = await this.#record('get', key, () => this.client.get(this.prefix + key));
    // Anything but a string (a Buffer of foreign bytes, a decoded object) is a wrong value.
    return value === undefined || typeof value === 'string' ? value : JSON.stringify(value);
  };

  readonly set = async (key: string, value: string): Promise<void> => {
    await this.#record('set', key, () => this.client.set(this.prefix + key, value));
    this.#acknowledged.set(key, Math.max(this.#acknowledged.get(key) ?? 0, versionOf(value)));
  };

  async #record<T>(kind: 'get' | 'set', key: string, call: () => Promise<T>): Promise<T> {
    const node = this.client.locate(this.prefix + key);
    const startMs = this.now();
    const acknowledged = this.#acknowledged.get(key) ?? 0;
    try {
      const value = await call().finally(() => {
        this.#lastEnd = performance.now();
      });
      const stale = kind === 'get' && typeof value === 'string' && versionOf(value) < acknowledged;
      this.calls.push({ kind, key, node, startMs, endMs: this.now(), errorCode: undefined, hit: kind === 'get' ? value !== undefined : undefined, stale });
      return value;
    } catch (error) {
      this.calls.push({ kind, key, node, startMs, endMs: this.now(), errorCode: codeOf(error), hit: undefined, stale: false });
      throw error;
    }
  }
}

/** The version in a scenario value (`key-3@7` -> 7). */
const versionOf = (value: string): number => Number(value.slice(value.lastIndexOf('@') + 1));

function codeOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'UNTYPED';
}

/** A ring change as the client announced it, with the number of nodes out of the ring right after. */
export interface RingEvent {
  readonly atMs: number;
  readonly type: 'ejected' | 'restored';
  readonly node: string;
  readonly reason: string | undefined;
  readonly ejectedAfter: number;
}

/** Records `node:ejected` / `node:restored` from now on, timed by `target.now()`. */
export function recordRingEvents(target: RecordingTarget): RingEvent[] {
  const events: RingEvent[] = [];
  const { client } = target;
  client.on('node:ejected', ({ node, reason }) => events.push({ atMs: target.now(), type: 'ejected', node, reason, ejectedAfter: client.ejected.length }));
  client.on('node:restored', ({ node }) => events.push({ atMs: target.now(), type: 'restored', node, reason: undefined, ejectedAfter: client.ejected.length }));
  return events;
}

/** Calls that started in [fromMs, toMs). */
export function startedBetween(calls: readonly CallRecord[], fromMs: number, toMs: number): CallRecord[] {
  return calls.filter((call) => call.startMs >= fromMs && call.startMs < toMs);
}

/** When the last call started (0 without calls); large arrays, so no spread into Math.max. */
export function lastStartMs(calls: readonly CallRecord[]): number {
  return calls.reduce((latest, call) => Math.max(latest, call.startMs), 0);
}

/** Nearest-rank percentile of the calls' durations (0 without calls). */
export function percentileMs(calls: readonly CallRecord[], p: number): number {
  const sorted = calls.map((call) => call.endMs - call.startMs).sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Hits / successful gets among the calls (NaN without any). */
export function hitRate(calls: readonly CallRecord[]): number {
  const gets = calls.filter((call) => call.hit !== undefined);
  return gets.filter((call) => call.hit === true).length / gets.length;
}

/** The scenario's measurements beyond the report, as shown in the summary table. */
export type Measurements = Readonly<Record<string, number | string | boolean | null>>;

/** A scenario's result file: its page's content (`renderScenarioPage` reads it as it is), named by scenario and backend. */
export interface ScenarioResult extends ScenarioPage {
  readonly scenario: string;
  readonly backend: Backend;
  readonly measured: Measurements;
  readonly checks: readonly ReportCheck[];
}

/** What a scenario hands `saveResult`: its figures and checks; the target adds its events and settings. */
export interface ScenarioOutcome {
  readonly scenario: string;
  readonly backend: Backend;
  readonly report: ScenarioReport;
  readonly measured: Measurements;
  readonly checks: readonly ReportCheck[];
  /** One line under the page's title. */
  readonly description?: string;
}

/** `<scenario, dashed>.<backend>`: the name of a result's JSON and HTML files. */
export const resultName = (result: { readonly scenario: string; readonly backend: string }): string => `${result.scenario.replace(/[^a-z0-9]+/gi, '-')}.${result.backend}`;

/**
 * Writes the result to `<dir>/<name>.json` and its page to `<name>.html` before any check fails
 * the test, so failures are reported (and drawn) too. Returns what was written.
 */
export function saveResult(outcome: ScenarioOutcome, target: RecordingTarget, dir = RESULTS_DIR): ScenarioResult {
  const result: ScenarioResult = { title: `${outcome.scenario} · ${outcome.backend}`, ...outcome, events: target.pageEvents, settings: target.settings };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${resultName(result)}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(dir, `${resultName(result)}.html`), renderScenarioPage(result));
  return result;
}

/** Rounds to 0.1 ms for the table. */
export const ms = (value: number): number => Math.round(value * 10) / 10;

/** Rounds a share to 0.001 for the table. */
export const share = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * In the target's time (NaN: not yet): when a fault's apply began and when it had taken effect
 * (a pause: the kernel reports the server stopped), when its revert began and when it finished.
 */
export interface FaultTimes {
  appliedMs: number;
  activeMs: number;
  revertStartedMs: number;
  revertedMs: number;
}

/**
 * Wraps a fault's `apply` so the test knows, in the target's time, when the fault started and
 * when it was undone (the report has the scenario's phases, not the windows the checks need).
 */
export function timedFault(target: RecordingTarget, apply: () => Promise<ActiveFault>): { readonly times: FaultTimes; readonly apply: () => Promise<ActiveFault> } {
  const times: FaultTimes = { appliedMs: Number.NaN, activeMs: Number.NaN, revertStartedMs: Number.NaN, revertedMs: Number.NaN };
  return {
    times,
    apply: async () => {
      times.appliedMs = target.now();
      const active = await apply();
      times.activeMs = target.now();
      return {
        fault: active.fault,
        node: active.node,
        counters: () => active.counters(),
        revert: async () => {
          if (Number.isNaN(times.revertStartedMs)) times.revertStartedMs = target.now();
          await active.revert();
          if (Number.isNaN(times.revertedMs)) times.revertedMs = target.now();
        },
      };
    },
  };
}
