import type { EventEmitter } from 'node:events';
import { CallEngine } from './calls/call-engine.js';
import { MultiKeyCalls } from './calls/multi-key-calls.js';
import { resolveOptions, type ResolvedOptions, type ShardedClientOptions } from './client-options.js';
import { ClosedError, type ShardcacheError } from './errors.js';
import type { ClientEvents } from './events.js';
import { asShardcacheError } from './internal/as-shardcache-error.js';
import { emitSafely } from './internal/listeners.js';
import { ringChannel } from './internal/tracing.js';
import { KeyRules } from './keyspace/key-rules.js';
import { changeTo } from './membership/membership-change.js';
import { MembershipLink } from './membership/membership-link.js';
import { defaultNodeFactory } from './nodes/default-node-factory.js';
import { resolveRejoin } from './rejoin/rejoin-guard.js';
import { Topology } from './routing/topology.js';
import { ValueCodec } from './values/value-codec.js';

/** What a ShardedClient is made of. */
export interface ClientParts {
  readonly options: ResolvedOptions;
  /** Placement: the fleet, the router, health, rejoin, migrations, warm-up. */
  readonly topology: Topology;
  /** The request path of one key. */
  readonly engine: CallEngine;
  readonly many: MultiKeyCalls;
  readonly membership: MembershipLink;
}

/**
 * Builds a client's parts from its options and wires what flows back to `emitter` (its
 * events, each listener's throw contained): health ejects and restores through the topology,
 * which announces ring changes; call errors and membership news are reported. `closed` says
 * whether the client was closed.
 */
export function clientParts(options: ShardedClientOptions, emitter: EventEmitter<ClientEvents>, closed: () => boolean): ClientParts {
  const resolved = resolveOptions(options);
  const codec = new ValueCodec({
    ...(options.serializer === undefined ? {} : { serializer: options.serializer }),
    ...(options.compressAbove === undefined ? {} : { compressAbove: options.compressAbove }),
    ...(options.values === undefined ? {} : { values: options.values }),
  });
  const report = (node: string | undefined, error: ShardcacheError): void => emitSafely(emitter, 'error', { node, error });
  const topology = new Topology(resolved, options.nodeFactory ?? defaultNodeFactory, resolveRejoin(options.rejoin), {
    ejected: (node, reason) => emitSafely(emitter, 'node:ejected', { node, reason }),
    restored: (node) => emitSafely(emitter, 'node:restored', { node }),
    changed: (change) => {
      emitSafely(emitter, 'ring:changed', change);
      if (ringChannel.hasSubscribers) ringChannel.publish(change);
    },
    error: (node, error) => report(node, asShardcacheError(error)),
  });
  const engine = new CallEngine(resolved, new KeyRules(resolved.keys), codec, topology, {
    closed,
    listening: () => emitter.listenerCount('error') > 0,
    report,
  });
  // Read here: a source may report its status while the link is being made.
  const source = options.membership?.description ?? 'static';
  const membership = new MembershipLink(
    options.membership,
    (view, swapped) => (closed() ? Promise.reject(new ClosedError('ShardedClient')) : topology.apply(changeTo(topology.addresses, view.nodes), swapped)),
    resolved.clock,
    {
      error: (error) => report(undefined, asShardcacheError(error)),
      // A refused list is news about the source, not a failed call: the ring in force stays.
      refused: (epoch, entry, reason) => emitSafely(emitter, 'membership:refused', { source, epoch, entry, reason }),
      status: (status) => emitSafely(emitter, 'membership:status', { source, ...status }),
    },
  );
  return { options: resolved, topology, engine, many: new MultiKeyCalls(engine), membership };
}
