import type { NodeSpec } from '../nodes/node-address.js';

/** The fleet as a membership source publishes it: the node list, and an epoch that only grows. */
export interface MembershipView {
  readonly epoch: number;
  readonly nodes: readonly NodeSpec[];
}

/**
 * Where planned membership comes from, shared by every process of an application, so they all
 * converge on the same ring. Ejection stays local to each client; membership is shared.
 *
 * @example
 * const source = staticMembership(['10.0.0.1:6379', '10.0.0.2:6379']);
 * const client = new ShardedClient({ backend: 'redis', membership: source });
 */
export interface MembershipSource {
  /** A short description for stats (`"static"`, `"redis 10.0.0.1:6379 shardcache:membership"`). */
  readonly description: string;
  /** The current view (the client's starting fleet). */
  read(): Promise<MembershipView>;
  /** Calls `onView` with every newer view until the returned function is called. */
  watch(onView: (view: MembershipView) => void, onError: (error: unknown) => void): () => void;
  close(): Promise<void>;
}

/** A fixed list (epoch 1): the default when a client is given `nodes`. */
export function staticMembership(nodes: readonly NodeSpec[]): MembershipSource {
  const view: MembershipView = { epoch: 1, nodes };
  return {
    description: 'static',
    read: () => Promise.resolve(view),
    watch: () => () => undefined,
    close: () => Promise.resolve(),
  };
}
