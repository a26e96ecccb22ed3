import { EventEmitter } from 'node:events';
import type { Cancel } from './clock.js';
import { ClosedError, DuplicateNodeError, InvalidOptionError, InvalidSnapshotError, UnknownNodeError } from './errors.js';
import { findOutliers } from './internal/outliers.js';
import { resolveOptions, type ResolvedOptions } from './internal/resolve-options.js';
import { boolean, integer, milliseconds, nodeId, number, object, share } from './internal/validate.js';
import type { NodeHealthSnapshot } from './node-health-snapshot.js';
import { NodeHealth } from './node-health.js';
import type { NodeHealthOptions } from './node-health-options.js';
import type { NodeStats, StateChange } from './node-state.js';

/**
 * Options for every node of a registry (NodeHealthOptions, less `canEject`, which the
 * registry supplies) plus the fleet-wide ones. Defaults in brackets.
 *
 * @example
 * const options: HealthRegistryOptions = { autoEjectHosts: true, probe, maxEjectedShare: 0.34, ejectOutliers: true };
 */
export interface HealthRegistryOptions extends Omit<NodeHealthOptions, 'canEject'> {
  /** Share of the fleet that may be out of the ring (ejected or probing) at once, 0..1. [0.5] */
  readonly maxEjectedShare?: number;
  /**
   * Whether the ring still holds `node` out though its health is up: a client that waits before
   * it serves from a restored node (flap damping, a purge) or that an operator ejected. Such a
   * node is out of the ring and counts against `maxEjectedShare`. [none]
   */
  readonly heldOut?: (node: string) => boolean;
  /** Detect latency outliers. [true] */
  readonly outlierDetection?: boolean;
  /** A node is an outlier when its p99 exceeds this many times the others' median p99. [3] */
  readonly outlierFactor?: number;
  /** ...and stays one for this long, in ms, before it is marked. [10000] */
  readonly outlierWindowMs?: number;
  /** Latency samples a node needs in its window to be judged. [50] */
  readonly outlierMinSamples?: number;
  /** A p99 at or under this many ms is never an outlier. [1] */
  readonly outlierMinLatencyMs?: number;
  /** Eject outliers (within the cap) instead of only marking them suspect. Needs `probe`. [false] */
  readonly ejectOutliers?: boolean;
}

/**
 * Events of a {@link HealthRegistry}; every payload names the node.
 *
 * @example
 * registry.on('node:ejected', ({ node, reason, retryAt }) => ring = ring.withoutNode(node));
 */
export interface HealthRegistryEvents {
  /** The node left the ring (up or suspect -> ejected). */
  'node:ejected': [change: StateChange];
  /** The node may rejoin the ring (probing -> up). */
  'node:restored': [change: StateChange];
  /** Every state change of every node. */
  'node:state': [change: StateChange];
}

/**
 * A frozen snapshot of the fleet.
 *
 * @example
 * const { nodes, ejected, maxEjected } = registry.stats;
 */
export interface HealthRegistryStats {
  readonly nodes: readonly NodeStats[];
  /** Nodes out of the ring (ejected, probing, or held out: `heldOut`). */
  readonly ejected: number;
  readonly maxEjected: number;
}

/**
 * What `HealthRegistry.toJSON()` returns and `HealthRegistry.restore()` takes.
 *
 * @example
 * const saved: HealthRegistrySnapshot = registry.toJSON();
 * const again = HealthRegistry.restore(JSON.parse(JSON.stringify(saved)), options);
 */
export interface HealthRegistrySnapshot {
  readonly version: 1;
  readonly nodes: readonly NodeHealthSnapshot[];
}

interface FleetSettings {
  readonly maxEjectedShare: number;
  readonly outlierDetection: boolean;
  readonly outlierFactor: number;
  readonly outlierWindowMs: number;
  readonly outlierMinSamples: number;
  readonly outlierMinLatencyMs: number;
  readonly ejectOutliers: boolean;
}

/**
 * The health of a whole fleet: one {@link NodeHealth} per node id, a cap on how many may be out
 * of the ring at once (so a fleet-wide slowdown never empties it), latency outlier detection,
 * and `node:ejected` / `node:restored` events for the client to change its ring.
 *
 * @example
 * const registry = new HealthRegistry({ autoEjectHosts: true, probe: (node, signal) => ping(node, signal) });
 * registry.on('node:ejected', ({ node }) => client.removeFromRing(node));
 * registry.on('node:restored', ({ node }) => client.addToRing(node));
 * for (const address of ['10.0.0.5:11211', '10.0.0.6:11211']) registry.add(address);
 */
export class HealthRegistry extends EventEmitter<HealthRegistryEvents> {
  readonly #nodeOptions: Omit<NodeHealthOptions, 'canEject'>;
  readonly #resolved: ResolvedOptions;
  readonly #fleet: FleetSettings;
  readonly #nodes = new Map<string, NodeHealth>();
  readonly #listeners = new Map<string, (change: StateChange) => void>();
  readonly #outlierSince = new Map<string, number>();
  readonly #heldOut: (node: string) => boolean;
  #cancelTick: Cancel | undefined;
  #closed = false;

  constructor(options?: HealthRegistryOptions) {
    super();
    const input = object('options', options) as HealthRegistryOptions;
    const {
      maxEjectedShare,
      outlierDetection,
      outlierFactor,
      outlierWindowMs,
      outlierMinSamples,
      outlierMinLatencyMs,
      ejectOutliers,
      heldOut,
      ...nodeOptions
    } = input;
    // Checked here, once, so a bad node option fails at construction and names itself.
    this.#resolved = resolveOptions(nodeOptions);
    this.#nodeOptions = nodeOptions;
    if (heldOut !== undefined && typeof heldOut !== 'function') throw new InvalidOptionError('heldOut', `expected a function, got ${typeof heldOut}`);
    this.#heldOut = heldOut ?? (() => false);
    this.#fleet = {
      maxEjectedShare: share('maxEjectedShare', maxEjectedShare, 0.5),
      outlierDetection: boolean('outlierDetection', outlierDetection, true),
      outlierFactor: number('outlierFactor', outlierFactor, 3, 1, false),
      outlierWindowMs: milliseconds('outlierWindowMs', outlierWindowMs, 10_000),
      outlierMinSamples: integer('outlierMinSamples', outlierMinSamples, 50, 1),
      outlierMinLatencyMs: number('outlierMinLatencyMs', outlierMinLatencyMs, 1, 0),
      ejectOutliers: boolean('ejectOutliers', ejectOutliers, false),
    };
    if (this.#fleet.ejectOutliers && this.#resolved.probe === undefined) {
      throw new InvalidOptionError('probe', 'a probe is required when ejectOutliers is true: an ejected node returns only after probes succeed');
    }
    if (this.#fleet.outlierWindowMs < this.#resolved.bucketMs) {
      throw new InvalidOptionError('outlierWindowMs', `must be at least one bucket (bucketMs = ${this.#resolved.bucketMs}), got ${this.#fleet.outlierWindowMs}`);
    }
    if (this.#fleet.outlierDetection) this.#tick();
  }

  /**
   * Rebuilds a registry and its nodes from `toJSON()` output; ejections resume where they were.
   *
   * @example
   * const registry = HealthRegistry.restore(JSON.parse(saved), { autoEjectHosts: true, probe });
   */
  static restore(snapshot: unknown, options?: HealthRegistryOptions): HealthRegistry {
    const nodes = typeof snapshot === 'object' && snapshot !== null ? (snapshot as { nodes?: unknown; version?: unknown }) : undefined;
    if (nodes?.version !== 1) throw new InvalidSnapshotError('version', 'expected a HealthRegistry snapshot with version 1');
    if (!Array.isArray(nodes.nodes)) throw new InvalidSnapshotError('nodes', 'expected an array of node snapshots');
    const registry = new HealthRegistry(options);
    for (const saved of nodes.nodes) registry.#attach(NodeHealth.restore(saved, registry.#optionsFor()));
    return registry;
  }

  /** Starts tracking a node, with optional per-node options on top of the registry's. */
  add(node: string, overrides?: Omit<NodeHealthOptions, 'canEject' | 'clock'>): NodeHealth {
    if (this.#closed) throw new ClosedError('HealthRegistry');
    const id = nodeId('node', node);
    if (this.#nodes.has(id)) throw new DuplicateNodeError(id);
    return this.#attach(new NodeHealth(id, { ...this.#optionsFor(), ...object('overrides', overrides) }));
  }

  /** Stops tracking a node (it left the fleet). Resolves once its probe has settled. */
  async remove(node: string): Promise<void> {
    const health = this.get(node);
    this.#nodes.delete(node);
    this.#outlierSince.delete(node);
    const listener = this.#listeners.get(node);
    if (listener !== undefined) health.off('state', listener);
    this.#listeners.delete(node);
    await health.close();
  }

  /** The node's health; ERR_UNKNOWN_NODE when it is not tracked. */
  get(node: string): NodeHealth {
    const health = this.#nodes.get(node);
    if (health === undefined) throw new UnknownNodeError(node);
    return health;
  }

  has(node: string): boolean {
    return this.#nodes.has(node);
  }

  get nodes(): readonly string[] {
    return [...this.#nodes.keys()];
  }

  /** How many nodes may be out of the ring at once: floor(share x size), at least 1 in a fleet of 2+. */
  get maxEjected(): number {
    const size = this.#nodes.size;
    if (size < 2 || this.#fleet.maxEjectedShare === 0) return 0;
    return Math.max(1, Math.floor(this.#fleet.maxEjectedShare * size));
  }

  get stats(): HealthRegistryStats {
    return Object.freeze({
      nodes: Object.freeze([...this.#nodes.values()].map((health) => health.stats)),
      ejected: this.#outOfRing(),
      maxEjected: this.maxEjected,
    });
  }

  toJSON(): HealthRegistrySnapshot {
    return { version: 1, nodes: [...this.#nodes.values()].map((health) => health.toJSON()) };
  }

  /** Stops every node's timers and probes, waiting for probes in flight. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#cancelTick?.();
    await Promise.all([...this.#nodes.values()].map((health) => health.close()));
  }

  /** Stops everything at once. Idempotent. */
  async destroy(): Promise<void> {
    this.#closed = true;
    this.#cancelTick?.();
    await Promise.all([...this.#nodes.values()].map((health) => health.destroy()));
  }

  #optionsFor(): NodeHealthOptions {
    return { ...this.#nodeOptions, canEject: (node) => this.#mayEject(node) };
  }

  #attach(health: NodeHealth): NodeHealth {
    if (this.#nodes.has(health.node)) throw new DuplicateNodeError(health.node);
    this.#nodes.set(health.node, health);
    const listener = (change: StateChange): void => {
      this.emit('node:state', change);
      if (change.to === 'ejected' && (change.from === 'up' || change.from === 'suspect')) this.emit('node:ejected', change);
      if (change.from === 'probing' && change.to === 'up') this.emit('node:restored', change);
    };
    this.#listeners.set(health.node, listener);
    health.on('state', listener);
    return health;
  }

  #outOfRing(except?: string): number {
    let count = 0;
    for (const [node, health] of this.#nodes) {
      if (node !== except && (health.state === 'ejected' || health.state === 'probing' || this.#heldOut(node))) count++;
    }
    return count;
  }

  #mayEject(node: string): boolean {
    return this.#outOfRing(node) < this.maxEjected;
  }

  #tick(): void {
    this.#cancelTick = this.#resolved.clock.schedule(() => {
      if (this.#closed) return;
      this.#detectOutliers();
      this.#tick();
    }, this.#resolved.bucketMs);
  }

  #detectOutliers(): void {
    const fleet = this.#fleet;
    const now = this.#resolved.clock.now();
    const p99s = new Map<string, number>();
    for (const [node, health] of this.#nodes) {
      const { state, latencySamples, p99Ms } = health.stats;
      if ((state === 'up' || state === 'suspect') && latencySamples >= fleet.outlierMinSamples && p99Ms !== undefined) p99s.set(node, p99Ms);
    }
    const outliers = findOutliers(p99s, fleet.outlierFactor, fleet.outlierMinLatencyMs);
    for (const [node, health] of this.#nodes) {
      if (!outliers.has(node)) {
        this.#outlierSince.delete(node);
        health.markOutlier(false, false);
        continue;
      }
      const since = this.#outlierSince.get(node) ?? now;
      this.#outlierSince.set(node, since);
      // "Stays above for a window": only a node flagged continuously that long is marked.
      if (now - since >= fleet.outlierWindowMs) health.markOutlier(true, fleet.ejectOutliers);
    }
  }
}
