import { errorCode, sleep, type Clock } from '@shardcache/health';
import type { MigrationStatus, PhaseName, StoryEvent } from './story-events.js';

/**
 * What the story does to the fleet, by node id. `demo-stage.ts` implements it over real
 * servers and a `ShardedClient`; tests pass a fake. The `when*` promises resolve once the
 * client has done it (they may never resolve: the story bounds every wait).
 */
export interface DemoStage {
  /** The node killed in phase 2 and restarted in phase 3. */
  readonly victim: string;
  /** The node outside the ring until phase 4 adds it. */
  readonly spare: string;
  /** The node drained, migrated and removed in phase 5. */
  readonly leaver: string;
  /** The node's current server PID. */
  pid(node: string): number;
  /** SIGKILLs the node. */
  kill(node: string): Promise<void>;
  whenEjected(node: string): Promise<void>;
  /** Starts it again (empty, same port); the new PID and the keys the rejoin guard tracks for it. */
  restart(node: string): Promise<{ readonly pid: number; readonly tracked: number }>;
  whenRestored(node: string): Promise<void>;
  /** Adds the node to the ring; resolves with the share of keys that moved. */
  add(node: string): Promise<number>;
  /** Reads served by previous owners during warm-up, so far. */
  warmupReads(): number;
  /** Takes the node out of placement (its keys go where they will live once it is removed). */
  drain(node: string): void;
  /** Copies the node's keys to their next owners at a pace meant to take about `budgetMs`. */
  migrate(node: string, budgetMs: number, onProgress: (status: MigrationStatus) => void, signal: AbortSignal): Promise<{ readonly status: MigrationStatus; readonly completed: boolean }>;
  /** Removes the node from the ring; resolves with the share of keys that moved in the swap. */
  remove(node: string): Promise<number>;
}

/** One phase of the story: from `startMs` to `endMs` after the start. */
export interface StoryPhase {
  readonly name: PhaseName;
  readonly title: string;
  readonly startMs: number;
  readonly endMs: number;
}

const PHASES: readonly { readonly name: PhaseName; readonly title: string; readonly share: number }[] = [
  { name: 'steady', title: 'steady state', share: 0.15 },
  { name: 'kill', title: 'a node dies (SIGKILL)', share: 0.2 },
  { name: 'restore', title: 'it comes back: restart, probes, rejoin safety', share: 0.2 },
  { name: 'add', title: 'a node joins, with warm-up', share: 0.2 },
  { name: 'migrate', title: 'a node leaves: drain, migrate its keys, remove', share: 0.25 },
];

/** Bounds on waiting for the client, whatever the phase length. */
const EJECTION_WAIT_MS = 3000;
const RESTORE_WAIT_MS = 5000;
/** The share of its phase the migration is paced to take. */
const MIGRATION_SHARE = 0.6;

/**
 * The five phases laid over `durationMs`: every phase scales with it.
 *
 * @example
 * storySchedule(60_000).map((phase) => phase.startMs); // [0, 9000, 21000, 33000, 45000]
 */
export function storySchedule(durationMs: number): StoryPhase[] {
  let startMs = 0;
  return PHASES.map(({ name, title, share }) => {
    const phase = { name, title, startMs, endMs: Math.round(startMs + share * durationMs) };
    startMs = phase.endMs;
    return phase;
  });
}

/** What the story runs on: its clock, its stop signal, and where its events go. */
export interface StoryOptions {
  readonly clock: Clock;
  /** Ends the story early (Ctrl-C): it returns at its next step. */
  readonly signal: AbortSignal;
  readonly emit: (event: StoryEvent) => void;
}

/**
 * Plays the story on a stage: steady state, a node killed and ejected, restarted and restored
 * with rejoin safety, a node added with warm-up, a node drained, migrated and removed. Each
 * phase starts at its scheduled time, or when the previous one's step is done if that took
 * longer (waits for the client are bounded).
 */
export async function playStory(stage: DemoStage, phases: readonly StoryPhase[], options: StoryOptions): Promise<void> {
  const { clock, signal, emit } = options;
  const origin = clock.now();
  const at = (): number => clock.now() - origin;
  const sleepUntil = (ms: number): Promise<void> => sleep(clock, ms - at(), signal);
  /** Waits for `done` until `untilMs`; false when time ran out first. */
  const within = async (done: Promise<void>, untilMs: number): Promise<boolean> => {
    const timer = new AbortController();
    const stop = (): void => timer.abort();
    signal.addEventListener('abort', stop, { once: true });
    let settled = false;
    const finished = done.then(() => {
      settled = true;
      timer.abort();
    });
    await Promise.race([finished, sleep(clock, untilMs - at(), timer.signal)]);
    signal.removeEventListener('abort', stop);
    timer.abort();
    return settled;
  };

  for (const [index, phase] of phases.entries()) {
    await sleepUntil(phase.startMs);
    if (signal.aborted) return;
    emit({ type: 'phase', atMs: at(), phase: phase.name, index: index + 1, count: phases.length, title: phase.title });
    switch (phase.name) {
      case 'steady':
        break;
      case 'kill': {
        emit({ type: 'killed', atMs: at(), node: stage.victim, pid: stage.pid(stage.victim) });
        await stage.kill(stage.victim);
        const from = at();
        if (!(await within(stage.whenEjected(stage.victim), Math.max(phase.endMs, from + EJECTION_WAIT_MS))) && !signal.aborted) {
          emit({ type: 'waited', atMs: at(), node: stage.victim, what: 'ejection', waitedMs: at() - from });
        }
        break;
      }
      case 'restore': {
        const { pid, tracked } = await stage.restart(stage.victim);
        emit({ type: 'restarted', atMs: at(), node: stage.victim, pid, tracked });
        const from = at();
        if (!(await within(stage.whenRestored(stage.victim), Math.max(phase.endMs, from + RESTORE_WAIT_MS))) && !signal.aborted) {
          emit({ type: 'waited', atMs: at(), node: stage.victim, what: 'restore', waitedMs: at() - from });
        }
        break;
      }
      case 'add': {
        const moved = await stage.add(stage.spare);
        emit({ type: 'added', atMs: at(), node: stage.spare, moved, warmupMs: Math.max(0, phase.endMs - at()) });
        await sleepUntil(phase.endMs);
        emit({ type: 'warmed', atMs: at(), node: stage.spare, reads: stage.warmupReads() });
        break;
      }
      case 'migrate': {
        stage.drain(stage.leaver);
        emit({ type: 'draining', atMs: at(), node: stage.leaver });
        const budgetMs = MIGRATION_SHARE * (phase.endMs - phase.startMs);
        let last: MigrationStatus = { scanned: 0, total: undefined, moved: 0, skipped: 0, failed: 0 };
        const onProgress = (status: MigrationStatus): void => {
          last = status;
          emit({ type: 'migration', atMs: at(), node: stage.leaver, status });
        };
        try {
          const { status, completed } = await stage.migrate(stage.leaver, budgetMs, onProgress, signal);
          emit({ type: 'migrated', atMs: at(), node: stage.leaver, status, completed });
          if (completed && !signal.aborted) emit({ type: 'removed', atMs: at(), node: stage.leaver, moved: await stage.remove(stage.leaver) });
        } catch (error) {
          // A failed copy leaves the node drained, not removed: nothing is lost, the story goes on.
          emit({ type: 'migrated', atMs: at(), node: stage.leaver, status: last, completed: false, error: errorCode(error) });
        }
        break;
      }
    }
    if (signal.aborted) return;
  }
  await sleepUntil(phases.at(-1)?.endMs ?? 0);
  if (!signal.aborted) emit({ type: 'done', atMs: at() });
}
