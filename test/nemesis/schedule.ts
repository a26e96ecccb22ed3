// The nemesis's plan: from a seed, a list of overlapping faults on the fleet's nodes and planned
// membership changes, as data (so a run can print it, and a control run can pass its own). A
// pure function of its inputs: the same seed gives the same schedule.
import { seededRandom, type Fault } from '@shardcache/chaos';

/** A fault on one node from `atMs` for `durationMs` (a kill restarts the server, empty, at the end). */
export interface FaultAction {
  readonly kind: 'fault';
  readonly atMs: number;
  readonly durationMs: number;
  /** The fleet node's id (`memcached-2`). */
  readonly node: string;
  readonly fault: Fault;
}

/**
 * An operator's planned change: `add` puts a node into the ring, `remove` takes it out (its
 * server is then restarted empty, so it can be added again as a new node). With `migrate`,
 * the keys that move are copied first (`client.migrate`).
 */
export interface ChangeAction {
  readonly kind: 'add' | 'remove';
  readonly atMs: number;
  readonly node: string;
  readonly migrate: boolean;
}

/** A listener on the client's events that throws on this event (and the warning that follows is counted). */
export interface ThrowAction {
  readonly kind: 'throw';
  readonly atMs: number;
}

export type Action = FaultAction | ChangeAction | ThrowAction;

export interface Schedule {
  /** The nodes in the ring at the start; the others wait as spares. */
  readonly initialRing: readonly string[];
  /** By `atMs`. */
  readonly actions: readonly Action[];
}

export interface ScheduleOptions {
  readonly seed: number;
  readonly durationMs: number;
  /** The fleet's node ids; all but the last start in the ring. */
  readonly nodes: readonly string[];
  /** Nodes faulted at once, at most. Default 2 (of 5: the ring keeps a majority). */
  readonly maxFaulted?: number;
  /** Mean gap between actions. Default 600 ms. */
  readonly meanGapMs?: number;
}

/** No fault starts in the last part of a run, so every fault ends and the fleet heals before the load stops. */
export const QUIET_END_MS = 1500;

/** A random schedule of overlapping faults and planned changes from `seed`. */
export function randomSchedule(options: ScheduleOptions): Schedule {
  const { seed, durationMs, nodes, maxFaulted = 2, meanGapMs = 600 } = options;
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const between = (low: number, high: number): number => Math.round(low + random() * (high - low));
  const initialRing = nodes.slice(0, -1);
  const inRing = new Set(initialRing);
  // Planned changes move no data (client README): a key that a change sends back to a node still
  // holding an older copy reads that copy. A node that joined took keys from others, who keep
  // copies; were it to leave, those keys would go back to them. So, as an operator who knows
  // that would, each node leaves at most once and never after it joined (a node that left
  // restarts empty and may join again); the ring changes with no key going back.
  const mayLeave = new Set(initialRing);
  /** node -> until when it is busy (a fault on it, or a change moving it). */
  const busyUntil = new Map<string, number>();
  let changeBusyUntil = 0;
  const actions: Action[] = [];
  const lastStart = durationMs - QUIET_END_MS;
  for (let atMs = between(200, meanGapMs); atMs < lastStart; atMs += Math.max(20, Math.round(-Math.log(1 - random()) * meanGapMs))) {
    const idle = [...inRing].filter((node) => (busyUntil.get(node) ?? 0) <= atMs);
    const faulted = [...busyUntil.values()].filter((until) => until > atMs).length;
    const roll = random();
    if (roll < 0.08) {
      actions.push({ kind: 'throw', atMs });
    } else if (roll < 0.2 && changeBusyUntil <= atMs) {
      const spare = nodes.find((node) => !inRing.has(node) && (busyUntil.get(node) ?? 0) <= atMs);
      const leavers = idle.filter((node) => mayLeave.has(node));
      const migrate = random() < 0.5;
      // Add the spare when there is one, else take out a node no fault is on (the ring keeps 3 at least).
      const action: ChangeAction | undefined =
        spare !== undefined && (inRing.size < nodes.length - 1 || random() < 0.5) ? { kind: 'add', atMs, node: spare, migrate }
        : leavers.length > 0 && inRing.size > 3 ? { kind: 'remove', atMs, node: pick(leavers), migrate }
        : undefined;
      if (action === undefined) continue;
      if (action.kind === 'add') inRing.add(action.node);
      else inRing.delete(action.node);
      mayLeave.delete(action.node);
      actions.push(action);
      // One change at a time; the node rests while it moves (and, removed, while it restarts).
      changeBusyUntil = atMs + 2000;
      busyUntil.set(action.node, atMs + 2000);
    } else if (faulted < maxFaulted && idle.length > 0) {
      const node = pick(idle);
      const durationMs = Math.min(between(150, 2500), lastStart - atMs);
      actions.push({ kind: 'fault', atMs, durationMs, node, fault: randomFault(random, durationMs) });
      busyUntil.set(node, atMs + durationMs);
    }
  }
  return { initialRing, actions };
}

/** One of the fault kinds, with parameters from `random`. */
function randomFault(random: () => number, durationMs: number): Fault {
  const kinds = ['kill', 'pause', 'latency', 'blackhole', 'flap', 'corrupt', 'reset'] as const;
  const kind = kinds[Math.floor(random() * kinds.length)] ?? 'pause';
  switch (kind) {
    case 'kill':
      return { type: 'kill', restartAfterMs: durationMs };
    case 'pause':
      return { type: 'pause' };
    case 'latency':
      return { type: 'latency', ms: Math.round(10 + random() * 140), jitterMs: Math.round(random() * 40) };
    case 'blackhole':
      return { type: 'blackhole' };
    case 'flap':
      return { type: 'flap', periodMs: Math.round(50 + random() * 250), fault: random() < 0.5 ? { type: 'blackhole' } : { type: 'reset' } };
    case 'corrupt':
      return { type: 'corrupt', mode: random() < 0.5 ? 'garbage' : 'truncate' };
    case 'reset':
      return { type: 'reset' };
  }
}

/** How a schedule reads in the report: one line per action. */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'fault':
      return `${action.node} ${describeFault(action.fault)} for ${action.durationMs} ms`;
    case 'add':
    case 'remove':
      return `${action.kind} ${action.node}${action.migrate ? ' with migration' : ''}`;
    case 'throw':
      return 'the next event\'s listener throws';
  }
}

export function describeFault(fault: Fault): string {
  switch (fault.type) {
    case 'latency':
      return `latency ${fault.ms}±${fault.jitterMs ?? 0} ms`;
    case 'flap':
      return `flap ${describeFault(fault.fault)} every ${fault.periodMs} ms`;
    case 'corrupt':
      return `corrupt (${fault.mode})`;
    default:
      return fault.type;
  }
}
