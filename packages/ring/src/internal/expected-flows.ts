import { UnsupportedError } from '../errors.js';
import type { ExpectedLayout, NodesLayout } from './layout.js';
import { multiProbeFlows } from './multi-probe-flows.js';

/** Receives an expected count of hash values that go from owner `a` (first ring) to owner `b`. */
export interface FlowSink {
  add(ownerA: number, ownerB: number, count: number): void;
}

/**
 * Jump with na and nb buckets, lo = min, hi = max: growing from lo to hi, a key moves at step
 * j + 1 to bucket j with probability 1 / (j + 1), whatever bucket it is in. So a key stays in
 * bucket i < lo with probability 1 / hi, and is in (i < lo, j >= lo) with 1 / (lo * hi).
 */
function jumpFlows(a: NodesLayout, b: NodesLayout, sink: FlowSink): void {
  const na = a.ids.length, nb = b.ids.length;
  const lo = Math.min(na, nb), hi = Math.max(na, nb);
  for (let i = 0; i < lo; i++) {
    sink.add(i, i, a.range / hi);
    for (let j = lo; j < hi; j++) {
      if (na <= nb) sink.add(i, j, a.range / (lo * hi));
      else sink.add(j, i, a.range / (lo * hi));
    }
  }
}

interface Racer {
  weight: number;
  inA: number;
  inB: number;
}

/**
 * Weighted rendezvous with score -w / ln(u) is an exponential race: the owner is the node whose
 * Exp(w) clock rings first, so it is x with probability w_x / W. Over the union of both rings'
 * nodes (a node is the same racer in both when its seed name and weight agree), the first clock
 * to ring decides: a node of both keeps its keys; a node only in the first ring loses them to the
 * second ring's winner of the rest (w_y / W_b, by memorylessness); symmetrically for the second.
 */
function rendezvousFlows(a: NodesLayout, b: NodesLayout, sink: FlowSink): void {
  const racers = new Map<string, Racer>();
  a.nodes.forEach((node, i) => racers.set(node.name ?? node.id, { weight: node.weight, inA: i, inB: -1 }));
  b.nodes.forEach((node, j) => {
    const name = node.name ?? node.id;
    const racer = racers.get(name);
    if (racer === undefined) racers.set(name, { weight: node.weight, inA: -1, inB: j });
    else if (racer.weight !== node.weight) {
      throw new UnsupportedError(`diff of rendezvous rings where "${node.id}" changes weight has no closed form; only node additions and removals do`);
    } else racer.inB = j;
  });
  const sum = (nodes: NodesLayout['nodes']): number => nodes.reduce((s, node) => s + node.weight, 0);
  const wa = sum(a.nodes), wb = sum(b.nodes);
  let wu = 0;
  for (const racer of racers.values()) wu += racer.weight;
  for (const racer of racers.values()) {
    const first = (a.range * racer.weight) / wu;
    if (racer.inA >= 0 && racer.inB >= 0) sink.add(racer.inA, racer.inB, first);
    else if (racer.inA >= 0) b.nodes.forEach((node, j) => sink.add(racer.inA, j, (first * node.weight) / wb));
    else a.nodes.forEach((node, i) => sink.add(i, racer.inB, (first * node.weight) / wa));
  }
}

/**
 * Expected flows between two rings without segments, exact as expectations over a uniform key
 * hash (multi-probe: over independent uniform probes). Both rings must be of one family.
 */
export function expectedFlows(a: ExpectedLayout, b: ExpectedLayout, sink: FlowSink): void {
  if (a.family === 'multi-probe' && b.family === 'multi-probe') multiProbeFlows(a, b, sink);
  else if (a.family !== b.family) throw new UnsupportedError(`diff of a ${a.family} ring and a ${b.family} ring has no exact answer`);
  else if (a.family === 'jump' && b.family === 'jump') jumpFlows(a, b, sink);
  else if (a.family === 'rendezvous' && b.family === 'rendezvous') rendezvousFlows(a, b, sink);
}
