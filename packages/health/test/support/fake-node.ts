import type { ProbeFunction } from '../../src/index.js';

/** A node whose health the test switches; its probe answers accordingly. */
export interface FakeNode {
  healthy: boolean;
  /** Probes started so far. */
  probes: number;
  readonly probe: ProbeFunction;
}

export function fakeNode(healthy = true): FakeNode {
  const node: FakeNode = {
    healthy,
    probes: 0,
    probe: async () => {
      node.probes++;
      if (!node.healthy) throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    },
  };
  return node;
}

/** A probe that never answers until aborted (a SIGSTOPped server). */
export const hangingProbe: ProbeFunction = (_node, signal) =>
  new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));

export const connectionReset = (): Error => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
export const timedOut = (): Error => Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
