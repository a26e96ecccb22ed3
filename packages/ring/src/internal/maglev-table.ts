import type { RingNode } from '../ring.js';
import type { ResolvedHash } from './hash-option.js';
import { LabelWriter } from './labels.js';

/** Whether `m` is prime (trial division: table sizes stay below 2^24). */
export function isPrime(m: number): boolean {
  if (m < 2) return false;
  if (m % 2 === 0) return m === 2;
  for (let d = 3; d * d <= m; d += 2) if (m % d === 0) return false;
  return true;
}

/**
 * Maglev's lookup table (Eisenbud et al., NSDI 2016, section 3.4): node i's preference list is
 * the permutation `(offset + j * skip) % size` with `offset = hash("<name>-0") % size` and
 * `skip = hash("<name>-1") % (size - 1) + 1`; nodes take turns (in id order) claiming their next
 * free preferred slot until the table is full. Weights follow Envoy's rule: after r rounds a node
 * has claimed floor(r * weight / largest weight) slots, so a node of half the largest weight
 * claims in every second round.
 */
export function maglevTable(nodes: readonly RingNode[], size: number, hash: ResolvedHash): Uint16Array | Uint32Array {
  const n = nodes.length;
  const offsets = new Float64Array(n);
  const skips = new Float64Array(n);
  nodes.forEach((node, i) => {
    const label = new LabelWriter(`${node.name ?? node.id}-`);
    offsets[i] = (hash.bytes(label.bytes, 0, label.write(0)) >>> 0) % size;
    skips[i] = ((hash.bytes(label.bytes, 0, label.write(1)) >>> 0) % (size - 1)) + 1;
  });
  const maxWeight = Math.max(...nodes.map((node) => node.weight));
  const weights = Float64Array.from(nodes, (node) => node.weight / maxWeight);
  const claims = new Float64Array(n);
  // Owners fit in 16 bits up to 65,536 nodes: half the memory, and more of the table in cache.
  const table = n <= 0x10000 ? new Uint16Array(size) : new Uint32Array(size);
  const taken = new Uint8Array(size);
  let filled = 0;
  for (let round = 1; filled < size; round++) {
    for (let i = 0; i < n && filled < size; i++) {
      // After r rounds a node has claimed floor(r * weight / maxWeight) slots.
      if (round * (weights[i] ?? 0) < (claims[i] ?? 0) + 1) continue;
      claims[i] = (claims[i] ?? 0) + 1;
      const skip = skips[i] ?? 1;
      let slot = offsets[i] ?? 0; // the node's next preferred slot, offset + j * skip
      while (taken[slot] === 1) slot = slot + skip >= size ? slot + skip - size : slot + skip;
      taken[slot] = 1;
      table[slot] = i;
      offsets[i] = slot + skip >= size ? slot + skip - size : slot + skip;
      filled++;
    }
  }
  return table;
}
