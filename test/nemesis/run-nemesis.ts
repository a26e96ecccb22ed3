// One nemesis run: a fleet of 5 real servers behind fault proxies, a ShardedClient over 4 of
// them (the fifth waits as the spare planned changes add), the open-loop workload, and the
// schedule's faults and changes played at their times. Returns the history and its verdict.
import { randomBytes } from 'node:crypto';
import { applyFault, openSocketsTo, seededRandom, startFleet, watchEventLoop, type ActiveFault, type Fleet, type FleetNode } from '@shardcache/chaos';
import type { ShardedClient, ShardedClientOptions } from '@shardcache/client';
import { chaosClient, TIMEOUT_MS, type Backend } from '../chaos/support/chaos-kit.js';
import { checkHistory, type Verdict } from './check-history.js';
import type { ChangeEntry, ClientEvent, FaultEntry, History, Pause } from './history.js';
import { describeAction, describeFault, randomSchedule, type Action, type ChangeAction, type Schedule } from './schedule.js';
import { Workload, type NemesisTarget } from './workload.js';

export interface NemesisOptions {
  readonly backend: Backend;
  readonly seconds: number;
  readonly seed: number;
  /** Calls in flight at most. Default 64. */
  readonly concurrency?: number;
  /** Calls started per second. Default 2,000. */
  readonly ratePerSec?: number;
  /** Keys written and read. Default 1,000. */
  readonly keys?: number;
  /** A fixed schedule (control runs); default `randomSchedule` from the seed. */
  readonly schedule?: (nodes: readonly string[]) => Schedule;
  /** Client options over the chaos defaults (say, `rejoin: { enabled: false }` for a control run). */
  readonly client?: Omit<ShardedClientOptions, 'backend' | 'nodes'>;
  /** A planted fault around the client, to show the checker catches it. */
  readonly wrap?: (target: NemesisTarget) => NemesisTarget;
  /** Progress lines (faults and changes as they happen). */
  readonly log?: (line: string) => void;
}

export interface NemesisRun {
  readonly schedule: Schedule;
  readonly history: History;
  readonly verdict: Verdict;
}

const FLEET_SIZE = 5;
/** memcached's item limit in the run (`-I`); redis's bulk limit cannot go under 1 MiB. */
const MEMCACHED_ITEM_BYTES = 64 * 1024;
const REDIS_BULK_BYTES = 1024 * 1024;

export async function runNemesis(options: NemesisOptions): Promise<NemesisRun> {
  const { backend, seconds, seed, concurrency = 64, ratePerSec = 2000, keys = 1000, log = () => undefined } = options;
  const fleet = await startFleet({
    [backend]: FLEET_SIZE,
    memcachedOptions: { maxItemSizeBytes: MEMCACHED_ITEM_BYTES },
    redisOptions: { maxItemSizeBytes: REDIS_BULK_BYTES },
  });
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown): void => {
    // With where it came from (its first frames): a finding must be one a reader can act on.
    unhandled.push(reason instanceof Error ? (reason.stack ?? `${reason.name}: ${reason.message}`).split('\n').slice(0, 6).join('\n') : String(reason));
  };
  let listenerWarnings = 0;
  const onWarning = (warning: Error & { code?: string }): void => {
    if (warning.code === 'SHARDCACHE_LISTENER_THREW') listenerWarnings += 1;
  };
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  process.on('warning', onWarning);
  try {
    const nodes = fleet.servers.map((node) => node.id);
    const schedule = options.schedule?.(nodes) ?? randomSchedule({ seed, durationMs: seconds * 1000, nodes });
    const addressOf = (id: string): string => proxyAddressOf(fleet, id);
    // Reports name nodes by their fleet id (`memcached-2`), not by their proxy's port.
    const nameOf = new Map(nodes.map((id) => [addressOf(id), id]));
    const client = chaosClient(backend, schedule.initialRing.map(addressOf), { maxValueBytes: 2 * REDIS_BULK_BYTES, ...options.client });
    const origin = performance.now();
    const now = (): number => performance.now() - origin;
    const throws = listenThrowing(client);
    const events: ClientEvent[] = [];
    client.on('node:ejected', ({ node, reason }) => events.push({ atMs: now(), text: `${nameOf.get(node) ?? node} ejected (${reason})` }));
    client.on('node:restored', ({ node }) => events.push({ atMs: now(), text: `${nameOf.get(node) ?? node} restored` }));
    const workload = new Workload({
      target: options.wrap?.(client) ?? client,
      random: seededRandom(seed ^ 0x5eed),
      prefix: `nemesis:${seed}:`,
      keys,
      ratePerSec,
      concurrency,
      oversize: oversizeValue(backend === 'memcached' ? MEMCACHED_ITEM_BYTES : REDIS_BULK_BYTES),
      locate: (key) => nameOf.get(client.locate(key) ?? '') ?? client.locate(key),
      now,
    });
    const keyNames = workload.keyNames();
    const owners = (): string[] => keyNames.map((key) => nameOf.get(client.ring.locate(key)) ?? '');
    const player = new SchedulePlayer(fleet, client, now, addressOf, throws, log, keyNames, owners);
    const watch = watchEventLoop();
    const collections = watchCollections(origin);
    workload.start();
    const timers = schedule.actions.map((action) => setTimeout(() => player.play(action), action.atMs));
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    timers.forEach(clearTimeout);
    // Every call has a deadline of at most 100 ms here; 3 s more only decides which never settled.
    await workload.stop(3000);
    const stalls = watch.stop();
    const gcs = collections.stop();
    await player.finish();
    await client.close();
    const leakedSockets = openSocketsTo(fleet.servers.map((node) => portOf(addressOf(node.id))));
    const history: History = {
      calls: workload.log.calls,
      faults: player.faults,
      events,
      changes: player.changes,
      timeoutMs: options.client?.timeoutMs ?? TIMEOUT_MS,
      worstStallMs: stalls.longestMs,
      unhandled,
      leakedSockets,
      listenerWarnings,
      listenerThrows: throws.thrown,
      skippedStarts: workload.skippedStarts,
      pauses: [...stalls.stalls.map((stall) => ({ kind: 'stall' as const, fromMs: stall.fromMs - origin, toMs: stall.toMs - origin })), ...gcs].sort((a, b) => a.fromMs - b.fromMs),
    };
    return { schedule, history, verdict: checkHistory(history) };
  } finally {
    await fleet.stop();
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    process.off('warning', onWarning);
  }
}

/** A listener on every client event that throws when the schedule says so. */
function listenThrowing(client: ShardedClient): { armed: boolean; thrown: number } {
  const state = { armed: false, thrown: 0 };
  const listener = (): void => {
    if (!state.armed) return;
    state.armed = false;
    state.thrown += 1;
    throw new Error('the nemesis listener throws');
  };
  for (const event of ['node:ejected', 'node:restored', 'ring:changed', 'error'] as const) client.on(event, listener);
  return state;
}

/** Plays a schedule's actions against the fleet and the client, recording each. */
class SchedulePlayer {
  readonly faults: FaultEntry[] = [];
  readonly changes: ChangeEntry[] = [];
  readonly #active = new Set<Promise<unknown>>();
  readonly #reverts = new Set<() => Promise<void>>();

  constructor(
    readonly fleet: Fleet,
    readonly client: ShardedClient,
    readonly now: () => number,
    readonly addressOf: (id: string) => string,
    readonly throws: { armed: boolean },
    readonly log: (line: string) => void,
    readonly keyNames: readonly string[],
    /** Each workload key's planned owner now, in `keyNames` order. */
    readonly owners: () => readonly string[],
  ) {}

  play(action: Action): void {
    this.log(`${Math.round(this.now())} ms: ${describeAction(action)}`);
    if (action.kind === 'throw') {
      this.throws.armed = true;
      return;
    }
    const work = action.kind === 'fault' ? this.#fault(this.#node(action.node), action.fault, action.durationMs) : this.#change(action);
    this.#active.add(work);
    void work.finally(() => this.#active.delete(work));
  }

  /** Reverts what is still active and waits for every change (each has at most 30 s). */
  async finish(): Promise<void> {
    await Promise.all([...this.#reverts].map((revert) => revert()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.#active]), new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
    clearTimeout(timer);
  }

  async #fault(node: FleetNode, fault: Parameters<typeof applyFault>[1], durationMs: number): Promise<void> {
    const entry: FaultEntry = { node: node.id, description: describeFault(fault), appliedMs: this.now(), revertedMs: undefined, error: undefined };
    this.faults.push(entry);
    let active: ActiveFault;
    try {
      active = await applyFault(node, fault);
    } catch (error) {
      entry.error = String(error);
      return;
    }
    const revert = async (): Promise<void> => {
      this.#reverts.delete(revert);
      await active.revert();
      entry.revertedMs ??= this.now();
    };
    this.#reverts.add(revert);
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    if (this.#reverts.has(revert)) await revert();
  }

  async #change(action: ChangeAction): Promise<void> {
    const address = this.addressOf(action.node);
    const change = action.kind === 'add' ? { add: [address] } : { remove: [address] };
    const entry: ChangeEntry = { description: describeAction(action), invokeMs: this.now(), completeMs: undefined, error: undefined, moved: [] };
    this.changes.push(entry);
    try {
      if (action.migrate) await this.client.migrate(change);
      const before = this.owners();
      await this.client.applyChange(change);
      const after = this.owners();
      entry.moved = this.keyNames.flatMap((key, index) => (before[index] === after[index] ? [] : [{ key, from: before[index] ?? '' }]));
      // A removed node's server starts again empty: added later, it is a new node.
      if (action.kind === 'remove') await this.#node(action.node).restart();
    } catch (error) {
      entry.error = String(error);
    } finally {
      entry.completeMs = this.now();
    }
  }

  #node(id: string): FleetNode {
    const node = this.fleet.node(id);
    if (node === undefined) throw new Error(`no fleet node ${id}`);
    return node;
  }
}

function proxyAddressOf(fleet: Fleet, id: string): string {
  const address = fleet.node(id)?.proxyAddress;
  if (address === undefined) throw new Error(`fleet node ${id} has no proxy`);
  return address;
}

/** Random bytes as base64: over `limit` even once the client compresses it (random bytes do not shrink). */
function oversizeValue(limit: number): string {
  return randomBytes(limit * 2).toString('base64');
}

const portOf = (address: string): number => Number(address.slice(address.lastIndexOf(':') + 1));

/** V8's garbage-collection pauses of 20 ms or more from now on, in the time base `origin` starts. */
function watchCollections(origin: number): { stop(): Pause[] } {
  const pauses: Pause[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.duration >= 20) pauses.push({ kind: 'gc', fromMs: entry.startTime - origin, toMs: entry.startTime + entry.duration - origin });
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      observer.disconnect();
      return pauses;
    },
  };
}
