import type { NodeSpec } from '../nodes/node-address.js';

/** The fleet as a membership source publishes it: the node list, and an epoch that only grows. */
export interface MembershipView {
  readonly epoch: number;
  readonly nodes: readonly NodeSpec[];
}

/**
 * Whether a client hears its source: `following` while it does, `alone` while the source is out
 * of reach (the client keeps its last ring and its own health decisions), with the reason.
 */
export interface MembershipStatus {
  readonly state: 'following' | 'alone';
  readonly reason: string | undefined;
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
  /**
   * Calls `onView` with every newer view until the returned function is called. A source that
   * can lose its link (etcd) reports it through `onStatus`; the others never call it.
   */
  watch(onView: (view: MembershipView) => void, onError: (error: unknown) => void, onStatus?: (status: MembershipStatus) => void): () => void;
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

/**
 * Re-reads a source on demand and passes on only views with a newer epoch, until stopped:
 * the part every watching source shares (what triggers a refresh differs).
 */
export function newerViews(read: () => Promise<MembershipView>, onView: (view: MembershipView) => void, onError: (error: unknown) => void): { refresh(): void; stop(): void } {
  let seen = 0;
  let stopped = false;
  return {
    refresh: () => {
      read().then(
        (view) => {
          if (!stopped && view.epoch > seen) {
            seen = view.epoch;
            onView(view);
          }
        },
        (error: unknown) => {
          if (!stopped) onError(error);
        },
      );
    },
    stop: () => {
      stopped = true;
    },
  };
}
