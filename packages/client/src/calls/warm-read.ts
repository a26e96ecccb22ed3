import type { RoutedKey } from '../keyspace/key-rules.js';
import type { NodeSlot } from '../routing/node-slot.js';
import type { CallEngine } from './call-engine.js';
import type { CallOptions } from './call-options.js';

/**
 * Warm-up: a miss on a key's new owner right after a planned change reads the previous owner;
 * a value found there is returned and copied to the new owner with its remaining TTL (`add`,
 * so a newer concurrent write wins). Failures there are only a miss. The read gets what is left
 * of the call's deadline, counted from `startedAt` (found by the nemesis: a get with a 100 ms
 * deadline settled after 174 ms, its warm read given a fresh 100 ms); none left is a miss.
 */
export async function warmRead<T>(engine: CallEngine, owner: NodeSlot, routed: RoutedKey, options: CallOptions, asBuffer: boolean, startedAt: number): Promise<T | undefined> {
  const { topology } = engine;
  const { clock, defaultTtl } = engine.options;
  const previous = topology.warmSource(routed.placement, owner.id, routed.wire);
  const timeoutMs = options.timeoutMs ?? engine.options.timeoutMs;
  const leftMs = Math.floor(timeoutMs - (clock.now() - startedAt));
  if (previous === undefined || leftMs <= 0) return engine.decode<T>(owner, routed.wire, undefined);
  const { wire } = routed;
  const found = await previous
    .run('get', leftMs, options.signal, () =>
      previous.node.getWithTtl === undefined
        ? previous.node.get(wire).then((item) => (item === undefined ? undefined : { item, ttl: defaultTtl }))
        : previous.node.getWithTtl(wire),
    )
    .catch(() => undefined);
  if (found === undefined) return engine.decode<T>(owner, wire, undefined);
  topology.warmUp.hit();
  void owner.run('add', timeoutMs, undefined, () => owner.node.add(wire, found.item.value, found.item.flags, found.ttl)).catch(() => undefined);
  return engine.decode<T>(owner, wire, found.item, asBuffer);
}
