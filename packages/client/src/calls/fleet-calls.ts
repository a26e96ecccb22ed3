import type { ShardcacheError } from '../errors.js';
import { asShardcacheError } from '../internal/as-shardcache-error.js';
import type { CallEngine } from './call-engine.js';
import type { CallOptions } from './call-options.js';

/** Removes every item on every node of the fleet (one call per node, on the one call path). */
export async function flushAll(engine: CallEngine, options: CallOptions): Promise<void> {
  engine.assertOpen();
  await Promise.all([...engine.topology.slots].map((slot) => engine.run(slot, 'flush', undefined, options, (node) => node.flush(options))));
}

/** Pings every node of the fleet: the ids that answered, and the errors of those that did not. */
export async function pingAll(engine: CallEngine, options: CallOptions): Promise<{ up: string[]; down: Record<string, ShardcacheError> }> {
  engine.assertOpen();
  const up: string[] = [];
  const down: Record<string, ShardcacheError> = {};
  await Promise.all(
    [...engine.topology.slots].map(async (slot) => {
      try {
        await engine.run(slot, 'ping', undefined, options, (node) => node.ping(options));
        up.push(slot.id);
      } catch (error) {
        down[slot.id] = asShardcacheError(error);
      }
    }),
  );
  return { up, down };
}
