import type { RingNode } from '../ring.js';
import type { Continuum } from './continuum.js';
import type { ProbeCircle } from './probe-circle.js';

interface LayoutBase {
  /** Owner index -> node id. */
  readonly ids: readonly string[];
  /** Key hashes lie in [0, range). */
  readonly range: number;
  /** Two rings place the same key hash identically only if these are equal (===). */
  readonly hashIdentity: unknown;
}

/** A continuum: the owner of hash h is the owner of the first point >= h (wrapping). */
export interface ArcsLayout extends LayoutBase {
  readonly kind: 'arcs';
  readonly continuum: Continuum;
}

/** A slot table: the owner of hash h is `slots[h % slots.length]`. */
export interface SlotsLayout extends LayoutBase {
  readonly kind: 'slots';
  readonly slots: Uint16Array | Uint32Array;
}

interface ExpectedLayoutBase extends LayoutBase {
  readonly kind: 'expected';
  /** Owner index -> node, as placed (jump: bucket order; others: id order). */
  readonly nodes: readonly RingNode[];
}

/**
 * An algorithm without segments (jump, rendezvous, multi-probe): no finite table says who owns
 * which hash, so `shareOf` and `diff` report exact expectations over a uniform key hash instead.
 * Only rings of one family have a joint placement to compute.
 */
export type ExpectedLayout = NodesLayout | MultiProbeLayout;

/** Jump and rendezvous: the nodes (ids, names, weights) decide everything. */
export interface NodesLayout extends ExpectedLayoutBase {
  readonly family: 'jump' | 'rendezvous';
}

/** Multi-probe: the points and the probe count decide the joint placement of two rings. */
export interface MultiProbeLayout extends ExpectedLayoutBase {
  readonly family: 'multi-probe';
  readonly circle: ProbeCircle;
  readonly probes: number;
}

/** How a ring maps key hashes to nodes, in a form `diff` and `shareOf` can compute with. */
export type Layout = ArcsLayout | SlotsLayout | ExpectedLayout;

// Rings are public values with a small interface; their layouts stay private to the package.
const layouts = new WeakMap<object, Layout>();

export function registerLayout(ring: object, layout: Layout): void {
  layouts.set(ring, layout);
}

export function layoutOf(ring: object): Layout | undefined {
  return layouts.get(ring);
}
