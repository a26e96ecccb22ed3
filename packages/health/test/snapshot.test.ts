import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidSnapshotError, NodeHealth, type NodeHealthOptions, type StateChange } from '../src/index.js';
import { connectionReset, fakeNode } from './support/fake-node.js';

const START = 1_700_000_000_000;

beforeEach(() => {
  vi.useFakeTimers({ now: START });
  node.healthy = true;
});
afterEach(() => {
  vi.useRealTimers();
});

const node = fakeNode();
const options: NodeHealthOptions = { autoEjectHosts: true, probe: node.probe, serverRetryTimeout: 1000, probeIntervalMs: 100, probeJitter: 0 };

/** JSON text and back, as a snapshot kept in a file or sent to another process would be. */
const roundTrip = (health: NodeHealth): NodeHealth => NodeHealth.restore(JSON.parse(JSON.stringify(health)), options);

function ejected(): NodeHealth {
  const health = new NodeHealth('a', options);
  health.recordFailure(connectionReset(), 1);
  health.recordFailure(connectionReset(), 1);
  return health;
}

describe('toJSON / restore', () => {
  it('keeps an ejection and the time it has left', async () => {
    const original = ejected();
    await vi.advanceTimersByTimeAsync(300);
    const restored = roundTrip(original);
    await original.destroy();
    const changes: StateChange[] = [];
    restored.on('state', (change) => changes.push(change));
    expect(restored.state).toBe('ejected');
    expect(restored.admits()).toBe(false);
    expect(restored.retryAt).toBe(START + 1000);
    expect(restored.stats).toMatchObject({ timeInStateMs: 300, ejectionStreak: 1, lastErrorCode: 'ECONNRESET' });
    await vi.advanceTimersByTimeAsync(699);
    expect(changes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(restored.state).toBe('probing');
    await vi.advanceTimersByTimeAsync(200);
    expect(restored.state).toBe('up');
    await restored.destroy();
  });

  it('moves an ejection that ended while saved to probing as soon as listeners can hear it', async () => {
    const saved = JSON.stringify(ejected());
    await vi.advanceTimersByTimeAsync(5000);
    const restored = NodeHealth.restore(JSON.parse(saved), options);
    const seen: string[] = [];
    restored.on('state', ({ to }) => seen.push(to));
    expect(restored.state).toBe('ejected');
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['probing']);
    await restored.destroy();
  });

  it('keeps the ejection streak, so back-off continues after a restart', async () => {
    const original = ejected();
    await vi.advanceTimersByTimeAsync(1200);
    original.recordFailure(connectionReset(), 1);
    original.recordFailure(connectionReset(), 1);
    expect(original.retryAt).toBe(Date.now() + 2000);
    const restored = roundTrip(original);
    expect(restored.toJSON()).toEqual(original.toJSON());
    await original.destroy();
    node.healthy = false;
    await vi.advanceTimersByTimeAsync(2000); // probing, and the first probe fails
    expect(restored.state).toBe('ejected');
    expect(restored.retryAt).toBe(Date.now() + 4000);
    await restored.destroy();
  });

  it('round-trips up, suspect and probing with their counters', async () => {
    const up = new NodeHealth('u', options);
    up.recordFailure(connectionReset(), 1);
    expect(roundTrip(up).toJSON()).toEqual(up.toJSON());

    const suspect = new NodeHealth('s', { ...options, autoEjectHosts: false });
    suspect.recordFailure(connectionReset(), 1);
    suspect.recordFailure(connectionReset(), 1);
    expect(suspect.state).toBe('suspect');
    const suspectAgain = NodeHealth.restore(JSON.parse(JSON.stringify(suspect)), { ...options, autoEjectHosts: false, probe: node.probe });
    expect(suspectAgain.toJSON()).toEqual(suspect.toJSON());
    expect(suspectAgain.toJSON().suspectCauses).toEqual(['failures']);

    const probing = ejected();
    await vi.advanceTimersByTimeAsync(1000 + 50);
    expect(probing.state).toBe('probing');
    const probingAgain = roundTrip(probing);
    expect(probingAgain.toJSON()).toEqual(probing.toJSON());
    // It carries on probing: one probe passed before the save, two more bring it back.
    await vi.advanceTimersByTimeAsync(50);
    expect(probingAgain.state).toBe('probing');
    await vi.advanceTimersByTimeAsync(100);
    expect(probingAgain.state).toBe('up');
    await Promise.all([up, suspect, suspectAgain, probing, probingAgain].map((health) => health.destroy()));
  });

  it.each([
    [null, '(root)'],
    [{ version: 2 }, 'version'],
    [{ version: 1, node: '' }, 'node'],
    [{ version: 1, node: 'a', state: 'down' }, 'state'],
    [{ version: 1, node: 'a', state: 'ejected', retryAt: null }, 'retryAt'],
    [{ version: 1, node: 'a', state: 'up', retryAt: null, suspectCauses: ['boredom'] }, 'suspectCauses'],
    [{ version: 1, node: 'a', state: 'up', retryAt: null, suspectCauses: [], lastErrorCode: 7 }, 'lastErrorCode'],
    [{ version: 1, node: 'a', state: 'up', retryAt: null, suspectCauses: [], lastErrorCode: null, since: -1 }, 'since'],
  ])('rejects %j naming the field', (snapshot, field) => {
    expect(() => NodeHealth.restore(snapshot, options)).toThrow(InvalidSnapshotError);
    expect(() => NodeHealth.restore(snapshot, options)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_SNAPSHOT', field }));
  });
});
