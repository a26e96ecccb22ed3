import { diff } from '@shardcache/ring';
import { UnsupportedError } from '../errors.js';
import type { NodeSlot } from '../routing/node-slot.js';
import type { PendingMigrations, RecordedKeys } from './pending-migrations.js';

/** The fleet as it will be after a ring swap, for deleting the copies migrations made. */
export interface CopyDestinations {
  /** The node's slot, or undefined when it does not serve after the swap (nothing to purge there). */
  slot(id: string): NodeSlot | undefined;
  /**
   * Hands a destination that is out of placement now to rejoin safety, which purges it before
   * it serves again; false when that is not possible (the purge is then attempted, and fails).
   */
  defer(id: string, keys: Iterable<readonly [string, string]> | 'overflowed'): boolean;
  /** Deadline of each delete call. */
  readonly timeoutMs: number;
}

const DELETE_BATCH = 500;
const SCAN_PAGE = 1000;
/** A memcached scan from the start snapshots every key on the node in one call, like migrate's. */
const MIN_SCAN_TIMEOUT_MS = 30_000;

/**
 * Deletes, at their new owners, the copies of keys written since the migrations copied them
 * (`recorded`); when recording overflowed, every copy a migration could have made (each
 * destination scanned: keys the base ring places elsewhere and a target ring places there).
 * Rejects with the first node's error: the caller must not swap the ring then.
 */
export async function purgeCopies(pending: PendingMigrations, recorded: RecordedKeys, destinations: CopyDestinations): Promise<void> {
  if (recorded === 'overflowed') {
    await Promise.all([...receivers(pending)].map((id) => (destinations.defer(id, 'overflowed') ? undefined : scanAndPurge(pending, id, destinations))));
    return;
  }
  const byDestination = new Map<string, Map<string, string>>();
  for (const [wire, placement] of recorded) {
    const from = pending.base.locate(placement);
    for (const target of pending.targets) {
      const to = target.locate(placement);
      if (to === from) continue;
      let keys = byDestination.get(to);
      if (keys === undefined) byDestination.set(to, (keys = new Map()));
      keys.set(wire, placement);
    }
  }
  await Promise.all(
    [...byDestination].map(async ([id, keys]) => {
      if (destinations.defer(id, keys)) return;
      const slot = destinations.slot(id);
      if (slot === undefined) return;
      const wires = [...keys.keys()];
      for (let at = 0; at < wires.length; at += DELETE_BATCH) await deleteAt(slot, wires.slice(at, at + DELETE_BATCH), destinations.timeoutMs);
    }),
  );
}

/** Nodes that receive keys under some pending change. */
function receivers(pending: PendingMigrations): Set<string> {
  const ids = new Set<string>();
  for (const target of pending.targets) for (const flow of diff(pending.base, target).flows) ids.add(flow.to);
  return ids;
}

async function scanAndPurge(pending: PendingMigrations, id: string, destinations: CopyDestinations): Promise<void> {
  const slot = destinations.slot(id);
  if (slot === undefined) return;
  const { scan } = slot.node;
  if (scan === undefined) throw new UnsupportedError(id, 'migrate', 'the node cannot scan keys to purge migrated copies');
  const targets = [...pending.targets];
  const scanTimeoutMs = Math.max(destinations.timeoutMs, MIN_SCAN_TIMEOUT_MS);
  let cursor = '0';
  do {
    const from = cursor;
    const page = await slot.run('scan', scanTimeoutMs, undefined, () => scan.call(slot.node, from, SCAN_PAGE));
    const copies = page.keys.filter((wire) => {
      const placement = pending.placementOfWire(wire);
      return placement !== undefined && pending.base.locate(placement) !== id && targets.some((target) => target.locate(placement) === id);
    });
    if (copies.length > 0) await deleteAt(slot, copies, destinations.timeoutMs);
    cursor = page.cursor;
  } while (cursor !== '0');
}

async function deleteAt(slot: NodeSlot, wires: readonly string[], timeoutMs: number): Promise<void> {
  await slot.run('deleteMany', timeoutMs, undefined, () => slot.node.deleteMany(wires));
}
