/**
 * Carries "these keys changed" between processes, so each process's L1 drops its copies.
 * Delivery is best effort: a lost message leaves a copy stale until its L1 TTL ends.
 * Implementations do not deliver a process's own messages back to it.
 *
 * @example
 * const bus: InvalidationBus = await RedisInvalidationBus.create({ publisher, subscriber });
 * const l1 = new L1Cache(client, { bus });
 */
export interface InvalidationBus {
  publish(keys: readonly string[]): Promise<void>;
  /** `listener` hears keys other processes changed; returns the unsubscribe function. */
  subscribe(listener: (keys: readonly string[]) => void): () => void;
  close(): Promise<void>;
}
