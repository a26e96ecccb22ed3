import { InvalidOptionError, NodeUnavailableError, UnsupportedError } from '../errors.js';
import type { Clock } from '../internal/clock.js';
import type { KeyRules } from '../keyspace/key-rules.js';
import type { MembershipChange } from '../membership/membership-change.js';
import type { NodeSlot } from '../routing/node-slot.js';
import type { Topology } from '../routing/topology.js';
import type { Ring } from '@shardcache/ring';

/** Where a migration stands: per source node, the scan cursor to continue from ('0' + done = finished). */
export interface MigrationCheckpoint {
  readonly cursors: Readonly<Record<string, string>>;
  readonly finished: readonly string[];
}

/** Counts so far. `rate` in keys scanned per second; `etaMs` when the total can be estimated. */
export interface MigrationProgress {
  readonly scanned: number;
  readonly moved: number;
  /** Keys already at their destination (a newer value there wins), or not this client's. */
  readonly skipped: number;
  readonly failed: number;
  readonly rate: number;
  readonly etaMs: number | undefined;
}

export interface MigrationResult extends MigrationProgress {
  /** False when the signal stopped it: pass `checkpoint` as `resumeFrom` to continue. */
  readonly completed: boolean;
  readonly checkpoint: MigrationCheckpoint;
}

export interface MigrationOptions {
  /** Keys per scan page and copy batch. Default 500. */
  readonly batchSize?: number;
  /** Source nodes copied at once. Default 2. */
  readonly concurrency?: number;
  /** At most this many keys scanned per second. Default unlimited. */
  readonly rateLimit?: number;
  /**
   * Deadline of each scan, dump and restore call. Default 30 s: a memcached scan from the start
   * takes a snapshot of every key on the node in one call.
   */
  readonly timeoutMs?: number;
  readonly onProgress?: (progress: MigrationProgress) => void;
  readonly signal?: AbortSignal;
  readonly resumeFrom?: MigrationCheckpoint;
}

interface Dependencies {
  readonly topology: Topology;
  readonly rules: KeyRules;
  readonly clock: Clock;
  readonly timeoutMs: number;
}

/**
 * Copies the values whose owner `change` would move, from their current owner to their owner
 * after it, before the change is applied: every node's keys are scanned (redis SCAN), keys that
 * move are dumped with their TTL and restored at the destination only where no value is (a
 * newer value there always wins), so a second run moves nothing. Stops at a batch boundary when
 * `signal` aborts and returns a checkpoint to resume from.
 *
 * From its start until the next planned change is applied, the client records writes to keys
 * the change moves (`PendingMigrations`), and applying a change first deletes their copies at
 * the destinations: a copy made before a write is never served after the swap.
 */
export async function migrate(deps: Dependencies, change: MembershipChange, options: MigrationOptions = {}): Promise<MigrationResult> {
  const batchSize = positiveInteger('batchSize', options.batchSize ?? 500);
  const concurrency = positiveInteger('concurrency', options.concurrency ?? 2);
  const rateLimit = options.rateLimit ?? Infinity;
  if (!(rateLimit > 0)) throw new InvalidOptionError('rateLimit', `expected keys per second > 0, got ${String(rateLimit)}`);
  const timeoutMs = options.timeoutMs ?? Math.max(deps.timeoutMs, 30_000);
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new InvalidOptionError('timeoutMs', `expected a positive number of ms, got ${String(timeoutMs)}`);
  const { topology, rules } = deps;
  topology.nextRing(change); // validates the change before anything is registered
  for (const slot of topology.slots) {
    if (slot.node.scan === undefined || slot.node.dump === undefined || slot.node.restore === undefined) {
      throw new UnsupportedError(slot.id, 'migrate', 'the node cannot scan, dump and restore keys');
    }
  }
  const { target, pending } = await topology.beginMigration(change, (wire) => rules.placementOfWire(wire));
  try {
    return await copyAll(deps, change, { base: pending.base, target }, options, { batchSize, concurrency, rateLimit, timeoutMs });
  } finally {
    pending.finished();
  }
}

/** The copy itself, from the planned ring (`base`) to the ring after `change` (`target`), both fixed when the migration registered. */
async function copyAll(
  deps: Dependencies,
  change: MembershipChange,
  { base, target }: { readonly base: Ring; readonly target: Ring },
  options: MigrationOptions,
  limits: { readonly batchSize: number; readonly concurrency: number; readonly rateLimit: number; readonly timeoutMs: number },
): Promise<MigrationResult> {
  const { topology, rules, clock } = deps;
  const { batchSize, concurrency, rateLimit, timeoutMs } = limits;
  const { slots, temporary } = topology.destinations(change);
  const sources = [...topology.slots];

  const cursors: Record<string, string> = { ...options.resumeFrom?.cursors };
  const finished = new Set(options.resumeFrom?.finished ?? []);
  const counts = { scanned: 0, moved: 0, skipped: 0, failed: 0 };
  const total = await estimateTotal(sources);
  const started = clock.now();
  const progress = (): MigrationProgress => {
    const seconds = Math.max((clock.now() - started) / 1000, 1e-3);
    const rate = counts.scanned / seconds;
    const remaining = total === undefined ? undefined : Math.max(total - counts.scanned, 0);
    return { ...counts, rate, etaMs: remaining === undefined || rate === 0 ? undefined : (remaining / rate) * 1000 };
  };

  // One worker failing stops the others at their next batch; every worker has stopped before
  // this returns (a restore landing after the migration ended could escape the purge that
  // precedes the ring swap).
  let stopped = false;
  // What this run restored: a migration that fails takes its copies back (below).
  const copied: { readonly destination: NodeSlot; readonly wire: string }[] = [];
  // A source out of the ring (drained or ejected) no longer serves its keys: writes and deletes
  // went to failover nodes meanwhile, often the very nodes it copies to. Its copy of a key the
  // rejoin guard says it missed is older than what was acknowledged since, and is not copied (a
  // restore never overwrites a newer value, but it would bring back a deleted one). Found by the
  // nemesis (redis): a key deleted on its failover node got the ejected owner's older value
  // back from a migration. A source whose tracking overflowed cannot tell: the migration stops.
  const outdated = (source: NodeSlot, wire: string): boolean => {
    if (!topology.router.ejected.has(source.id)) return false;
    const missed = topology.rejoin.missed(source.id);
    if (missed === 'overflowed') throw new NodeUnavailableError(source.id, 'it is out of the ring and its rejoin tracking overflowed, so which of its copies are older than writes made elsewhere is unknown: the migration stopped');
    return missed.has(wire);
  };
  const copyFrom = async (source: NodeSlot): Promise<void> => {
    const { scan, dump, restore } = source.node;
    if (scan === undefined || dump === undefined || restore === undefined) return;
    let cursor = cursors[source.id] ?? '0';
    while (!finished.has(source.id) && options.signal?.aborted !== true && !stopped) {
      const page = await source.run('scan', timeoutMs, undefined, () => scan.call(source.node, cursor, batchSize));
      counts.scanned += page.keys.length;
      const moving = page.keys.flatMap((wire) => {
        const placement = rules.placementOfWire(wire);
        if (placement === undefined) {
          counts.skipped++;
          return [];
        }
        // Only the key's owner now holds this client's latest value: a copy another node still
        // holds (from an earlier change) is older, and must not reach the new owner first.
        if (base.locate(placement) !== source.id) return [];
        const owner = target.locate(placement);
        if (owner === source.id) return [];
        const destination = slots.get(owner);
        return destination === undefined ? [] : [{ wire, destination }];
      });
      if (moving.length > 0) {
        const items = await source.run('dump', timeoutMs, undefined, () => dump.call(source.node, moving.map((entry) => entry.wire)));
        await Promise.all(
          moving.map(async ({ wire, destination }, index) => {
            const item = items[index];
            if (item === undefined) return; // expired meanwhile
            // Asked after the dump, as late as can be before the restore.
            if (outdated(source, wire)) return void counts.skipped++;
            const { restore: put } = destination.node;
            if (put === undefined) return void counts.failed++;
            try {
              const outcome = await destination.run('restore', timeoutMs, undefined, () => put.call(destination.node, wire, item));
              if (outcome === 'restored') {
                counts.moved++;
                copied.push({ destination, wire });
              }
              else counts.skipped++;
            } catch {
              counts.failed++;
            }
          }),
        );
      }
      cursor = page.cursor;
      cursors[source.id] = cursor;
      if (cursor === '0') finished.add(source.id);
      options.onProgress?.(progress());
      await throttle(clock, started, counts.scanned, rateLimit);
    }
  };

  try {
    const queue = sources.filter((slot) => !finished.has(slot.id));
    const workers = await Promise.allSettled(
      Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
        try {
          for (let next = queue.shift(); next !== undefined && !stopped; next = queue.shift()) await copyFrom(next);
        } catch (error) {
          stopped = true;
          throw error;
        }
      }),
    );
    for (const worker of workers) {
      if (worker.status !== 'rejected') continue;
      await discard(copied, topology);
      throw worker.reason;
    }
  } finally {
    await Promise.all(temporary.map((slot) => slot.node.close()));
  }
  const completed = sources.every((slot) => finished.has(slot.id));
  return { ...progress(), completed, checkpoint: { cursors: { ...cursors }, finished: [...finished] } };
}

/**
 * A migration that failed leaves no copies behind: nobody may apply its change, and a copy left
 * at a destination is older than every write its owner takes from now on, yet a failover (the
 * destination of a removal is the next node on the ring) or a later change sends reads there.
 * Found by the nemesis (redis, seed 3): a failed `remove` migration's copies were served 20 s
 * later when the owner was ejected (151 stale reads). A copy on a node of the fleet is deleted
 * as an orphan (a read of it there is a miss until the delete succeeds); one on a node the
 * change was adding is deleted before that connection closes.
 */
async function discard(copied: readonly { readonly destination: NodeSlot; readonly wire: string }[], topology: Topology): Promise<void> {
  const byNode = new Map<NodeSlot, string[]>();
  for (const { destination, wire } of copied) {
    const wires = byNode.get(destination);
    if (wires === undefined) byNode.set(destination, [wire]);
    else wires.push(wire);
  }
  await Promise.all(
    [...byNode].map(async ([slot, wires]) => {
      if (topology.slot(slot.id) === slot) for (const wire of wires) topology.rejoin.deleteOrphan(slot.id, wire);
      else await slot.node.deleteMany(wires).catch(() => undefined);
    }),
  );
}

/** Keys on the sources, from the servers' own counters (redis `db0:keys=`, memcached `curr_items`). */
async function estimateTotal(sources: readonly NodeSlot[]): Promise<number | undefined> {
  try {
    const counts = await Promise.all(sources.map(async (slot) => {
      const stats = await slot.node.stats();
      const db = /keys=(\d+)/.exec(stats['db0'] ?? '')?.[1] ?? stats['curr_items'];
      return db === undefined ? Number.NaN : Number(db);
    }));
    const total = counts.reduce((sum, count) => sum + count, 0);
    return Number.isFinite(total) ? total : undefined;
  } catch {
    return undefined;
  }
}

/** Waits until `scanned` keys fit under `rateLimit` per second since `started`. */
function throttle(clock: Clock, started: number, scanned: number, rateLimit: number): Promise<void> {
  if (rateLimit === Infinity) return Promise.resolve();
  const due = started + (scanned / rateLimit) * 1000;
  const wait = due - clock.now();
  return wait <= 0 ? Promise.resolve() : new Promise((resolve) => clock.schedule(resolve, wait));
}

function positiveInteger(option: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new InvalidOptionError(option, `expected a positive whole number, got ${String(value)}`);
  return value;
}
