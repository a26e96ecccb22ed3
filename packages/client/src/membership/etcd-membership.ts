import { InvalidOptionError, MembershipConflictError, MembershipMalformedError, MembershipUnavailableError } from '../errors.js';
import { connectEtcd, type EtcdKv, type StoredKey } from '../internal/etcd-kv.js';
import { parseNodeList, type NodeSpec } from '../nodes/node-address.js';
import { nodesAfter, type MembershipChange } from './membership-change.js';
import type { MembershipSource, MembershipStatus, MembershipView } from './membership-source.js';

export interface EtcdMembershipOptions {
  /** etcd client URLs (`http://10.0.0.5:2379`); calls go to any member that answers. */
  readonly endpoints: readonly string[];
  /** The list lives at `<prefix>/nodes` (`/shardcache/sessions` -> `/shardcache/sessions/nodes`). */
  readonly prefix: string;
  /**
   * The fleet to start from when etcd cannot be reached at start (or holds no list yet), at
   * epoch 0, so etcd's list replaces it as soon as etcd answers. Without it, an unreachable
   * etcd at start fails with `ERR_MEMBERSHIP_UNAVAILABLE`.
   */
  readonly fallbackNodes?: readonly NodeSpec[];
  /** Deadline of one read or publish. Default 2000 ms. */
  readonly callTimeoutMs?: number;
  /** The longest pause between attempts to re-open the watch while etcd is away. Default 1000 ms. */
  readonly maxReconnectMs?: number;
}

/** Publishing options: `ifEpoch` makes the write conditional on the epoch the caller saw. */
export interface PublishOptions {
  readonly ifEpoch?: number;
}

/** A membership source on etcd that can also publish (operators, deploy scripts, the CLI). */
export interface EtcdMembership extends MembershipSource {
  /** The key holding the node list. */
  readonly key: string;
  /**
   * Applies `change` to the stored list as a compare-and-swap on the epoch it read (or
   * `ifEpoch`); resolves with the new epoch. A concurrent publish in between makes it fail with
   * `ERR_MEMBERSHIP_CONFLICT` instead of overwriting.
   */
  publish(change: MembershipChange, options?: PublishOptions): Promise<number>;
  /** Stores exactly `nodes`, with the same compare-and-swap as `publish`. */
  replace(nodes: readonly NodeSpec[], options?: PublishOptions): Promise<number>;
}

/**
 * Membership on etcd: the node list as JSON under one key, and the epoch is that key's
 * `mod_revision` (it moves only when the list changes, unlike the cluster revision). Every
 * process watches the key; a broken watch is re-opened and the key re-read on reconnect, so a
 * change made while a process was cut off still arrives. While etcd is out of reach the client
 * keeps its ring and says so (`stats.membership.state` is `alone`).
 *
 * @example
 * const membership = etcdMembership({ endpoints: ['http://10.0.0.5:2379'], prefix: '/shardcache/sessions' });
 * await membership.replace(['10.0.0.1:11211', '10.0.0.2:11211']);
 * const client = await ShardedClient.open({ backend: 'memcached', membership });
 */
export function etcdMembership(options: EtcdMembershipOptions): EtcdMembership {
  const endpoints = checkEndpoints(options.endpoints);
  if (typeof options.prefix !== 'string' || options.prefix.replace(/\/+$/, '') === '') throw new InvalidOptionError('membership.prefix', `expected a non-empty key prefix, got ${JSON.stringify(options.prefix)}`);
  if (options.fallbackNodes !== undefined) parseNodeList(options.fallbackNodes, 'membership.fallbackNodes');
  const fallback = options.fallbackNodes;
  const callTimeoutMs = positive(options.callTimeoutMs ?? 2000, 'membership.callTimeoutMs');
  const maxReconnectMs = positive(options.maxReconnectMs ?? 1000, 'membership.maxReconnectMs');
  const key = `${options.prefix.replace(/\/+$/, '')}/nodes`;
  const description = `etcd ${endpoints.join(',')} ${key}`;
  const kv: EtcdKv = connectEtcd({ endpoints, callTimeoutMs, maxReconnectMs });
  const watches = new Set<() => void>();
  // Why the last read() fell back, so a watch started on it begins `alone`.
  let fellBack: string | undefined;

  async function stored(): Promise<StoredKey> {
    try {
      return await kv.read(key);
    } catch (error) {
      throw new MembershipUnavailableError(endpoints, messageOf(error), { cause: error });
    }
  }

  async function write(nodes: readonly NodeSpec[], expected: number): Promise<number> {
    let epoch: number | undefined;
    try {
      epoch = await kv.writeIf(key, JSON.stringify(nodes), expected);
    } catch (error) {
      throw new MembershipUnavailableError(endpoints, messageOf(error), { cause: error });
    }
    if (epoch === undefined) throw new MembershipConflictError(expected, (await stored()).modRevision);
    return epoch;
  }

  async function current(ifEpoch: number | undefined): Promise<StoredKey> {
    const now = await stored();
    if (ifEpoch !== undefined && ifEpoch !== now.modRevision) throw new MembershipConflictError(ifEpoch, now.modRevision);
    return now;
  }

  return {
    description,
    key,
    read: async () => {
      let now: StoredKey;
      try {
        now = await stored();
      } catch (error) {
        if (fallback === undefined) throw error;
        fellBack = messageOf(error);
        return { epoch: 0, nodes: fallback };
      }
      fellBack = undefined;
      if (now.value === undefined) return { epoch: 0, nodes: fallback ?? [] };
      return parseView(now, description);
    },
    publish: async (change, publishOptions = {}) => {
      const now = await current(publishOptions.ifEpoch);
      // No list yet: the first publish adds to an empty fleet.
      const before = now.value === undefined ? [] : parseNodeList(parseView(now, description).nodes);
      return write(nodesAfter(before, change), now.modRevision);
    },
    replace: async (nodes, publishOptions = {}) => {
      parseNodeList(nodes, 'nodes');
      return write(nodes, (await current(publishOptions.ifEpoch)).modRevision);
    },
    watch: (onView, onError, onStatus) => {
      let seen = 0;
      // A client starts as it read: following, or alone on the fallback list. Only changes are news.
      let status: MembershipStatus['state'] = fellBack === undefined ? 'following' : 'alone';
      let stopped = false;
      const report = (state: MembershipStatus['state'], reason: string | undefined): void => {
        if (stopped || status === state) return;
        status = state;
        onStatus?.({ state, reason });
      };
      // Watch events and resync reads race: only a newer revision counts, good or refused.
      const deliver = (now: StoredKey): void => {
        if (stopped || now.modRevision <= seen) return;
        seen = now.modRevision;
        try {
          onView(parseView(now, description));
        } catch (error) {
          onError(error);
        }
      };
      if (fellBack !== undefined) onStatus?.({ state: 'alone', reason: fellBack });
      const unwatch = kv.watch(key, {
        changed: deliver,
        connected: () => {
          report('following', undefined);
          // A change made while the watch was down may be older than what the watch resumes from.
          kv.read(key).then(deliver, (error: unknown) => {
            if (!stopped) onError(new MembershipUnavailableError(endpoints, messageOf(error), { cause: error }));
          });
        },
        disconnected: (error) => report('alone', `lost etcd: ${messageOf(error)}`),
      });
      const stop = (): void => {
        stopped = true;
        watches.delete(stop);
        unwatch();
      };
      watches.add(stop);
      return stop;
    },
    close: () => {
      for (const stop of [...watches]) stop();
      kv.close();
      return Promise.resolve();
    },
  };
}

/** The one place a stored list is narrowed from `unknown`; a refusal names the bad entry. */
function parseView(now: StoredKey, source: string): MembershipView {
  const epoch = now.modRevision;
  if (now.value === undefined) throw new MembershipMalformedError(source, epoch, 'the node list', 'the key was deleted');
  let parsed: unknown;
  try {
    parsed = JSON.parse(now.value);
  } catch {
    throw new MembershipMalformedError(source, epoch, `the value ${JSON.stringify(now.value.slice(0, 80))}`, 'not JSON');
  }
  try {
    parseNodeList(parsed, 'nodes');
  } catch (error) {
    if (!(error instanceof InvalidOptionError)) throw error;
    const index = /^nodes\[(\d+)\]/.exec(error.option)?.[1];
    const entry = index === undefined || !Array.isArray(parsed) ? error.option : `${error.option} = ${JSON.stringify(parsed[Number(index)])}`;
    throw new MembershipMalformedError(source, epoch, entry, error.message);
  }
  return { epoch, nodes: parsed as NodeSpec[] };
}

function checkEndpoints(endpoints: unknown): string[] {
  if (!Array.isArray(endpoints) || endpoints.length === 0) throw new InvalidOptionError('membership.endpoints', 'expected a non-empty array of etcd URLs ("http://host:2379")');
  return endpoints.map((endpoint: unknown, index) => {
    if (typeof endpoint !== 'string' || !/^https?:\/\/[^/\s]+:\d+\/?$/.test(endpoint)) throw new InvalidOptionError(`membership.endpoints[${index}]`, `expected "http://host:port", got ${JSON.stringify(endpoint)}`);
    return endpoint;
  });
}

function positive(value: number, option: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new InvalidOptionError(option, `expected a positive number of ms, got ${String(value)}`);
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
