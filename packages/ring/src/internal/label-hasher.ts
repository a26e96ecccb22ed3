import { murmur3Blocks, murmur3Resume } from '../hash/murmur3.js';
import type { ResolvedHash } from './hash-option.js';
import { LabelWriter } from './labels.js';

/**
 * Hashes one node's point labels, `prefix + decimal(i)`. With murmur3 (the native default) the
 * prefix's whole 4-byte blocks are mixed once per node, not once per point: a 10,000-node ring
 * hashes 1.6M labels that differ only in their last few bytes.
 */
export function labelHasher(hash: ResolvedHash, prefix: string): (i: number) => number {
  const label = new LabelWriter(prefix);
  if (hash.name !== 'murmur3') return (i) => hash.bytes(label.bytes, 0, label.write(i));
  const shared = label.prefixLength & ~3;
  const state = murmur3Blocks(0, label.bytes, 0, shared);
  return (i) => {
    const end = label.write(i);
    return murmur3Resume(state, label.bytes, shared, end, end);
  };
}
