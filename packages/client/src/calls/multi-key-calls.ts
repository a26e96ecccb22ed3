import { NodeUnavailableError, PartialFailureError, type KeyFailure, type ShardcacheError } from '../errors.js';
import { asShardcacheError } from '../internal/as-shardcache-error.js';
import type { RoutedKey } from '../keyspace/key-rules.js';
import { groupByNode, type ManyResult } from '../multi-key.js';
import type { WriteEntry } from '../nodes/cache-node.js';
import type { NodeSlot } from '../routing/node-slot.js';
import type { CallEngine } from './call-engine.js';
import type { CallOptions, ManyOptions, SetEntry } from './call-options.js';

/**
 * Multi-key calls: keys grouped per node, one multi-get or pipeline per node, all nodes in
 * parallel, results in the caller's key order, and a node's failure failing only its keys.
 */
export class MultiKeyCalls {
  readonly #engine: CallEngine;

  constructor(engine: CallEngine) {
    this.#engine = engine;
  }

  async getMany<T>(keys: readonly string[], options: ManyOptions): Promise<ManyResult<T>> {
    const engine = this.#engine;
    const routed = keys.map((key) => engine.route(key));
    const values: (T | undefined)[] = new Array<T | undefined>(keys.length).fill(undefined);
    const groups = this.#groups(routed);
    // Under the `fail` policy, keys of an ejected node are misses, as in get().
    if (engine.topology.router.policy === 'fail') groups.delete(undefined);
    const compressed: Promise<void>[] = [];
    const failures = await this.#perNode(
      groups,
      'getMany',
      options,
      (slot, indexes) => slot.node.getMany(indexes.map((index) => routed[index]?.wire ?? '')),
      (slot, indexes, items) => {
        indexes.forEach((index, position) => {
          const value = engine.decode<T>(slot, routed[index]?.wire ?? '', items[position]);
          if (value instanceof Promise) compressed.push(value.then((decoded) => void (values[index] = decoded)));
          else values[index] = value;
        });
      },
      keys,
    );
    await Promise.all(compressed);
    return settle({ values, failures }, keys.length, options);
  }

  async setMany(entries: readonly SetEntry[], options: ManyOptions): Promise<Pick<ManyResult<never>, 'failures'>> {
    const engine = this.#engine;
    const keys = entries.map((entry) => entry.key);
    const routed = keys.map((key) => engine.route(key));
    const writes: WriteEntry[] = await Promise.all(
      entries.map(async (entry, index) => {
        const wire = routed[index]?.wire ?? '';
        const item = await engine.codec.encode(entry.value);
        engine.checkSize(wire, item);
        return { key: wire, value: item.value, flags: item.flags, ttl: engine.ttl(entry.ttl) };
      }),
    );
    const failures = await this.#perNode(
      this.#groups(routed),
      'setMany',
      options,
      (slot, indexes) =>
        slot.node.setMany(
          indexes.map((index) => {
            const write = writes[index] as WriteEntry;
            const at = routed[index];
            return at === undefined ? write : { ...write, ttl: engine.failover(at, slot, write.ttl) };
          }),
          options,
        ),
      () => undefined,
      keys,
    );
    return settle({ failures }, keys.length, options);
  }

  async deleteMany(keys: readonly string[], options: ManyOptions): Promise<{ deleted: number } & Pick<ManyResult<never>, 'failures'>> {
    const engine = this.#engine;
    const routed = keys.map((key) => engine.route(key));
    let deleted = 0;
    const failures = await this.#perNode(
      this.#groups(routed),
      'deleteMany',
      options,
      (slot, indexes) =>
        slot.node.deleteMany(
          indexes.map((index) => {
            const at = routed[index];
            if (at !== undefined) engine.failover(at, slot, null);
            return at?.wire ?? '';
          }),
          options,
        ),
      (_slot, _indexes, count) => {
        deleted += count;
      },
      keys,
    );
    return settle({ deleted, failures }, keys.length, options);
  }

  #groups(routed: readonly RoutedKey[]): Map<string | undefined, number[]> {
    const { router } = this.#engine.topology;
    return groupByNode(routed, (entry) => router.route(entry.placement));
  }

  /** Runs one call per node group in parallel; collects failures per key instead of throwing. */
  async #perNode<R>(
    groups: Map<string | undefined, number[]>,
    command: string,
    options: CallOptions,
    send: (slot: NodeSlot, indexes: number[]) => Promise<R>,
    receive: (slot: NodeSlot, indexes: number[], result: R) => Promise<void> | void,
    keys: readonly string[],
  ): Promise<{ key: string; error: ShardcacheError }[]> {
    const engine = this.#engine;
    const failures: { key: string; error: ShardcacheError }[] = [];
    await Promise.all(
      [...groups].map(async ([id, indexes]) => {
        const slot = id === undefined ? undefined : engine.topology.slot(id);
        try {
          if (slot === undefined) throw new NodeUnavailableError(undefined, `the keys' node is ejected and the failover policy is "${engine.topology.router.policy}"`);
          await receive(slot, indexes, await engine.run(slot, command, undefined, options, () => send(slot, indexes)));
        } catch (error) {
          const typed = asShardcacheError(error);
          for (const index of indexes) failures.push({ key: keys[index] ?? '', error: typed });
        }
      }),
    );
    return failures;
  }
}

/** Returns a multi-key result, or throws it inside ERR_PARTIAL_FAILURE when asked to. */
function settle<R extends { readonly failures: readonly KeyFailure[] }>(result: R, total: number, options: ManyOptions): R {
  if (options.throwOnPartialFailure === true && result.failures.length > 0) throw new PartialFailureError(result.failures, total, result);
  return result;
}
