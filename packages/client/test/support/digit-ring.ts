import { ketamaRing, type Ring } from '@shardcache/ring';
import type { NodeAddress } from '../../src/nodes/node-address.js';

/**
 * A ring whose placement is worked out by hand: the key hash is the decimal digits of the key
 * read as one number (a key "23" hashes to 23), and node "n:4" gets points 40, 41, 42 (its point
 * labels are "n:4-0" .. "n:4-2"). With nodes n:2, n:4 and n:6: n:4 owns 23..42, n:6 owns 43..62,
 * and n:2 the rest (63 and up, wrapping round to 22). See ring's ketama tests.
 */
export function digitRing(nodes: readonly Pick<NodeAddress, 'id'>[]): Ring {
  return ketamaRing(nodes.map(({ id }) => id), { hash: digitHash, pointsPerWeight: 3 });
}

function digitHash(bytes: Uint8Array): number {
  const digits = String.fromCharCode(...bytes).replace(/\D/g, '');
  return digits === '' ? 0 : Number(digits);
}

/** The three nodes of the hand-worked ring, as addresses. */
export const DIGIT_NODES = ['n:2', 'n:4', 'n:6'] as const;
