import type { RingNode } from '../ring.js';
import type { Continuum } from './continuum.js';

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

/**
 * An algorithm without segments (jump, rendezvous, multi-probe): no finite table says who owns
 * which hash, so `shareOf` and `diff` report exact expectations over a uniform key hash instead.
 */
export interface ExpectedLayout extends LayoutBase {
  readonly kind: 'expected';
  /** Only rings of one family have a closed-form joint placement. */
  readonly family: 'jump' | 'rendezvous' | 'multi-probe';
  /** Owner index -> node, as placed (jump: bucket order; others: id order). */
  readonly nodes: readonly RingNode[];
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
