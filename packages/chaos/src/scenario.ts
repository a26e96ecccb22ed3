import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Cancel, Clock } from '@shardcache/health';
import type { ActiveFault } from './apply-fault.js';
import { CallTimeoutError, InvalidOptionError } from './errors.js';
import { errorCode } from '@shardcache/health';
import { systemClock } from './internal/clock.js';
import { buildReport, type FaultRecord, type OperationSample, type ScenarioPhase, type ScenarioReport } from './scenario-report.js';

/** The calls a scenario drives: any client, wrapped in two functions. A miss is `undefined` or `null`. */
export interface ScenarioTarget {
  get(key: string): Promise<string | null | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** A fault started `atMs` after the scenario starts and reverted `durationMs` later (or when the load ends). */
export interface ScheduledFault {
  readonly atMs: number;
  readonly durationMs: number;
  /** Applies the fault, e.g. `() => applyFault(fleet.redis[0], { type: 'pause' })`. */
  readonly apply: () => Promise<ActiveFault>;
}

/** A bounded load: it stops at `maxOps` or after `durationMs`, whichever comes first. */
export interface ScenarioOptions {
  readonly target: ScenarioTarget;
  /** Default 1000. */
  readonly maxOps?: number;
  /** Default 5000. */
  readonly durationMs?: number;
  /** Calls in flight at once (with `ratePerSec`: at most). Default 4. */
  readonly concurrency?: number;
  /**
   * Open loop: calls start at this rate, evenly spread, however long the answers take, so a
   * slow node does not slow the load on the others (compare latencies across phases this way).
   * A start that finds `concurrency` calls in flight is skipped and counted (`skippedStarts`;
   * those the loop reached 10 ms or more after they were due, bunched by a stall of this
   * process, also in `skippedLateStarts`).
   * Default: closed loop, `concurrency` callers each starting a call when their last returns.
   */
  readonly ratePerSec?: number;
  /** Distinct keys (`key-0` ...). Default 50. */
  readonly keys?: number;
  /** Share of gets among calls, 0..1. Default 0.8. */
  readonly readShare?: number;
  /** A call still pending after this counts as `ERR_CALL_TIMEOUT`. Default 1000. */
  readonly callTimeoutMs?: number;
  readonly faults?: readonly ScheduledFault[];
  /**
   * The node a key is placed on (e.g. `(key) => client.locate(prefix + key)`), asked when each
   * call starts: the report's timeline then has a line per node. Default: fleet-wide only.
   */
  readonly nodeOf?: (key: string) => string | undefined;
  /**
   * The load's time (call latencies, the fault schedule, call timeouts): `@shardcache/health`'s
   * `Clock`. Default: epoch milliseconds from `performance` (sub-millisecond) and unref'd timers.
   */
  readonly clock?: Clock;
  readonly random?: () => number;
}

/** An open-loop start the loop reaches this late was held up by a stall of this process, not by the pace. */
const LATE_START_MS = 10;

const LIMITS = { maxOps: 1_000_000, durationMs: 600_000, concurrency: 1024, keys: 1_000_000, callTimeoutMs: 600_000 };

/**
 * Runs a bounded load against a target while a fault schedule plays, and reports what the
 * target did. Values encode key and version (`key-3@7`), so stale reads and wrong values show.
 *
 * @example
 * const fleet = await startFleet({ redis: 1 });
 * const report = await runScenario({
 *   target: { get: (key) => myClient.get(key), set: (key, value) => myClient.set(key, value) },
 *   maxOps: 2000, durationMs: 3000,
 *   faults: [{ atMs: 500, durationMs: 1000, apply: () => applyFault(fleet.redis[0], { type: 'pause' }) }],
 * });
 * console.log(formatReport(report));
 */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioReport> {
  const settings = validate(options);
  const { target, clock, random } = settings;
  const origin = clock.now();
  const now = (): number => clock.now() - origin;
  const attempted = new Map<string, number>();
  const acknowledged = new Map<string, number>();
  const samples: OperationSample[] = [];
  const records: { node: string; type: string; appliedAtMs: number; revertedAtMs: number | undefined; active: ActiveFault }[] = [];
  const timers = new Set<Cancel>();
  const pending = new Set<Promise<void>>();
  let activeFaults = 0;
  let faultsStarted = 0;
  let issued = 0;

  const phase = (): ScenarioPhase => (activeFaults > 0 ? 'during' : faultsStarted > 0 ? 'after' : 'before');
  const revert = async (record: (typeof records)[number]): Promise<void> => {
    if (record.revertedAtMs !== undefined) return;
    record.revertedAtMs = now();
    await record.active.revert();
    activeFaults -= 1;
  };
  const schedule = (ms: number, step: () => Promise<void>): void => {
    const cancel = clock.schedule(() => {
      timers.delete(cancel);
      const work = step().finally(() => pending.delete(work));
      pending.add(work);
    }, ms);
    timers.add(cancel);
  };
  for (const planned of settings.faults) {
    schedule(planned.atMs, async () => {
      const appliedAtMs = now();
      activeFaults += 1;
      faultsStarted += 1;
      const active = await planned.apply();
      const record = { node: active.node, type: active.fault.type, appliedAtMs, revertedAtMs: undefined, active };
      records.push(record);
      schedule(planned.durationMs, () => revert(record));
    });
  }

  const call = async <T>(operation: () => Promise<T>): Promise<T> => {
    let cancel: Cancel = () => undefined;
    const timeout = new Promise<never>((_, reject) => {
      cancel = clock.schedule(() => reject(new CallTimeoutError(settings.callTimeoutMs)), settings.callTimeoutMs);
    });
    try {
      return await Promise.race([operation(), timeout]);
    } finally {
      cancel();
    }
  };

  const operate = async (): Promise<void> => {
    const key = `key-${Math.floor(random() * settings.keys)}`;
    const node = settings.nodeOf?.(key);
    const where = node === undefined ? {} : { node };
    const startPhase = phase();
    const startMs = now();
    const isGet = random() < settings.readShare;
    const acknowledgedAtStart = acknowledged.get(key) ?? 0;
    try {
      if (isGet) {
        const value = await call(() => target.get(key));
        samples.push({ kind: 'get', phase: startPhase, startMs, endMs: now(), ...where, outcome: judge(key, value, acknowledgedAtStart, attempted.get(key) ?? 0) });
      } else {
        const version = (attempted.get(key) ?? 0) + 1;
        attempted.set(key, version);
        await call(() => target.set(key, `${key}@${version}`));
        acknowledged.set(key, Math.max(acknowledged.get(key) ?? 0, version));
        samples.push({ kind: 'set', phase: startPhase, startMs, endMs: now(), ...where });
      }
    } catch (error) {
      samples.push({ kind: isGet ? 'get' : 'set', phase: startPhase, startMs, endMs: now(), ...where, errorCode: errorCode(error) });
    }
  };

  let stoppedBy: 'maxOps' | 'duration' = 'maxOps';
  let skippedStarts = 0;
  let skippedLateStarts = 0;
  const paced = (ratePerSec: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const calls = new Set<Promise<void>>();
      let due = 0;
      const tick = (): void => {
        if (now() >= settings.durationMs || issued >= settings.maxOps) {
          if (issued < settings.maxOps) stoppedBy = 'duration';
          void Promise.all(calls).then(() => resolve());
          return;
        }
        // Every start due by now, even after a late timer.
        for (const target = Math.floor((now() * ratePerSec) / 1000); due < target && issued < settings.maxOps; due++) {
          if (calls.size >= settings.concurrency) {
            skippedStarts += 1;
            if (now() - (due * 1000) / ratePerSec >= LATE_START_MS) skippedLateStarts += 1;
            continue;
          }
          issued += 1;
          const started = operate().finally(() => calls.delete(started));
          calls.add(started);
        }
        schedule(1, async () => tick());
      };
      tick();
    });
  const worker = async (): Promise<void> => {
    while (issued < settings.maxOps) {
      if (now() >= settings.durationMs) {
        stoppedBy = 'duration';
        return;
      }
      issued += 1;
      await operate();
      // Let timers (the fault schedule, call timeouts) run even when the target answers in microtasks.
      await nextTurn();
    }
  };
  try {
    if (settings.ratePerSec === undefined) await Promise.all(Array.from({ length: settings.concurrency }, worker));
    else await paced(settings.ratePerSec);
  } finally {
    for (const cancel of timers) cancel();
    await Promise.allSettled([...pending]);
    await Promise.all(records.map(revert));
  }
  const durationMs = now();
  const faults: FaultRecord[] = records.map((record) => ({
    node: record.node,
    type: record.type,
    appliedAtMs: record.appliedAtMs,
    revertedAtMs: record.revertedAtMs ?? durationMs,
    counters: record.active.counters(),
  }));
  return buildReport(samples, faults, durationMs, stoppedBy, skippedStarts, skippedLateStarts);
}

function judge(key: string, value: string | null | undefined, acknowledgedAtStart: number, attemptedNow: number): NonNullable<OperationSample['outcome']> {
  if (value === undefined || value === null) return 'miss';
  const at = value.lastIndexOf('@');
  const version = Number(value.slice(at + 1));
  if (at === -1 || value.slice(0, at) !== key || !Number.isInteger(version) || version < 1 || version > attemptedNow) return 'wrong';
  return version < acknowledgedAtStart ? 'stale' : 'hit';
}

function validate(options: ScenarioOptions) {
  const { target } = options;
  if (typeof target !== 'object' || target === null || typeof target.get !== 'function' || typeof target.set !== 'function') {
    throw new InvalidOptionError('target', 'expected an object with get(key) and set(key, value) functions');
  }
  const integer = (name: keyof typeof LIMITS, value: number | undefined, fallback: number): number => {
    const result = value ?? fallback;
    if (!Number.isInteger(result) || result < 1 || result > LIMITS[name]) throw new InvalidOptionError(name, `expected an integer from 1 to ${LIMITS[name]}, got ${String(value)}`);
    return result;
  };
  const readShare = options.readShare ?? 0.8;
  if (!(readShare >= 0 && readShare <= 1)) throw new InvalidOptionError('readShare', `expected a share from 0 to 1, got ${String(options.readShare)}`);
  const faults = options.faults ?? [];
  faults.forEach((fault, index) => {
    if (!(Number.isFinite(fault.atMs) && fault.atMs >= 0)) throw new InvalidOptionError(`faults[${index}].atMs`, `expected milliseconds >= 0, got ${String(fault.atMs)}`);
    if (!(Number.isFinite(fault.durationMs) && fault.durationMs >= 0)) throw new InvalidOptionError(`faults[${index}].durationMs`, `expected milliseconds >= 0, got ${String(fault.durationMs)}`);
    if (typeof fault.apply !== 'function') throw new InvalidOptionError(`faults[${index}].apply`, 'expected a function returning applyFault(...)');
  });
  if (options.nodeOf !== undefined && typeof options.nodeOf !== 'function') throw new InvalidOptionError('nodeOf', 'expected a function from key to node id');
  const ratePerSec = options.ratePerSec;
  if (ratePerSec !== undefined && !(Number.isFinite(ratePerSec) && ratePerSec > 0 && ratePerSec <= 1_000_000)) {
    throw new InvalidOptionError('ratePerSec', `expected calls per second from above 0 to 1000000, got ${String(ratePerSec)}`);
  }
  return {
    target,
    ratePerSec,
    maxOps: integer('maxOps', options.maxOps, 1000),
    durationMs: integer('durationMs', options.durationMs, 5000),
    concurrency: integer('concurrency', options.concurrency, 4),
    keys: integer('keys', options.keys, 50),
    callTimeoutMs: integer('callTimeoutMs', options.callTimeoutMs, 1000),
    readShare,
    faults,
    nodeOf: options.nodeOf,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
  };
}
