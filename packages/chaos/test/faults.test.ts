import { connect, type Socket } from 'node:net';
import { describe, expect } from 'vitest';
import { applyFault, FaultNotApplicableError, InvalidOptionError, validateFault, type Fault, type FleetNode } from '../src/index.js';
import { fleetTest } from '../src/vitest.js';
import { ManualClock } from './support/manual-clock.js';
import { rawRequest } from './support/raw-request.js';

const it = fleetTest({ memcached: 1, redis: 1 });
const VERSION = 'version\r\n';

function memcachedOf(fleet: { memcached: readonly FleetNode[] }): FleetNode & { proxy: NonNullable<FleetNode['proxy']> } {
  const node = fleet.memcached[0];
  if (node?.proxy === undefined) throw new Error('no memcached node with a proxy');
  return node as FleetNode & { proxy: NonNullable<FleetNode['proxy']> };
}

/** After every fault: the node answers normally again, through its proxy. */
async function expectHealthy(node: FleetNode): Promise<void> {
  expect(node.proxy?.fault).toBeUndefined();
  expect(await rawRequest(node.proxy?.port ?? 0, VERSION)).toMatchObject({ outcome: 'reply', text: expect.stringMatching(/^VERSION \d/) });
}

describe('network faults through the proxy', () => {
  it('latency holds replies at least ms, then reverts', async ({ fleet }) => {
    const node = memcachedOf(fleet);
    const active = await applyFault(node, { type: 'latency', ms: 150, jitterMs: 20, direction: 'downstream' });
    const reply = await rawRequest(node.proxy.port, VERSION);
    expect(reply.outcome).toBe('reply');
    expect(reply.ms).toBeGreaterThanOrEqual(140);
    expect(active.counters().bytesHeld).toBeGreaterThan(0);
    await active.revert();
    await expectHealthy(node);
  });

  it('bandwidth trickles a large value out at the given rate', async ({ fleet }) => {
    const node = memcachedOf(fleet);
    const active = await applyFault(node, { type: 'bandwidth', bytesPerSecond: 20_000, direction: 'upstream' });
    const value = 'x'.repeat(10_000);
    const reply = await rawRequest(node.proxy.port, `set big 0 0 ${value.length}\r\n${value}\r\n`, { timeoutMs: 5000 });
    expect(reply.text).toBe('STORED\r\n');
    // 10 000 bytes at 20 000 B/s take 500 ms; the bound leaves a margin for timer granularity.
    expect(reply.ms).toBeGreaterThanOrEqual(400);
    expect(active.counters().bytesHeld).toBeGreaterThanOrEqual(10_000);
    await active.revert();
    await expectHealthy(node);
  });

  it('blackhole accepts but never answers', async ({ fleet }) => {
    const node = memcachedOf(fleet);
    const active = await applyFault(node, { type: 'blackhole' });
    expect(await rawRequest(node.proxy.port, VERSION, { timeoutMs: 300 })).toMatchObject({ outcome: 'timeout', text: '' });
    expect(active.counters()).toMatchObject({ connections: 1, bytesDropped: VERSION.length });
    await active.revert();
    await expectHealthy(node);
  });

  it('blackhole resets, as it lifts, the connections it dropped bytes of (a stream with a hole is not TCP); the others go on', async ({ fleet }) => {
    const node = memcachedOf(fleet);
    const port = node.proxy?.port ?? 0;
    const open = async (): Promise<Socket> => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
      await new Promise((resolve) => socket.once('connect', resolve));
      return socket;
    };
    const holed = await open();
    const quiet = await open();
    const active = await applyFault(node, { type: 'blackhole' });
    holed.write(VERSION);
    await expect.poll(() => active.counters().bytesDropped).toBe(VERSION.length);
    const closed = new Promise((resolve) => holed.once('close', resolve));
    await active.revert();
    await closed;
    expect(active.counters().connectionsReset).toBe(1);
    // The connection that lost nothing still answers, in order.
    const reply = new Promise<string>((resolve) => quiet.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
    quiet.write(VERSION);
    expect(await reply).toMatch(/^VERSION \d/);
    quiet.destroy();
  });

  it('reset refuses connections with RST, or cuts them after n bytes', async ({ fleet }) => {
    const node = memcachedOf(fleet);
    let active = await applyFault(node, { type: 'reset' });
    expect((await rawRequest(node.proxy.port, VERSION)).outcome).toMatch(/ECONNRESET|closed/);
    expect(active.counters().connectionsReset).toBe(1);
    await active.revert();
    active = await applyFault(node, { type: 'reset', afterBytes: 4 });
    expect((await rawRequest(node.proxy.port, VERSION)).outcome).toMatch(/ECONNRESET|closed/);
    expect(active.counters()).toMatchObject({ connectionsReset: 1, bytesForwarded: 4, bytesDropped: VERSION.length - 4 });
    await active.revert();
    await expectHealthy(node);
  });

  it('corrupt replaces replies by garbage of the same length, or truncates them', async ({ fleet }) => {
    const node = memcachedOf(fleet);
    const clean = await rawRequest(node.port, VERSION);
    let active = await applyFault(node, { type: 'corrupt', mode: 'garbage' });
    const garbage = await rawRequest(node.proxy.port, VERSION, { until: (received) => received.length >= clean.bytes.length });
    expect(garbage.bytes.length).toBe(clean.bytes.length);
    expect(garbage.bytes.equals(clean.bytes)).toBe(false);
    expect(active.counters().bytesAltered).toBe(clean.bytes.length);
    await active.revert();
    active = await applyFault(node, { type: 'corrupt', mode: 'truncate' });
    const truncated = await rawRequest(node.proxy.port, VERSION);
    expect(truncated).toMatchObject({ outcome: 'closed', text: clean.text.slice(0, Math.floor(clean.text.length / 2)) });
    expect(active.counters().bytesDropped).toBe(clean.bytes.length - Math.floor(clean.bytes.length / 2));
    await active.revert();
    await expectHealthy(node);
  });

  it('partial fails a share of requests (all of them at share 1)', async ({ fleet }) => {
    const node = memcachedOf(fleet);
    const active = await applyFault(node, { type: 'partial', share: 1 });
    expect((await rawRequest(node.proxy.port, VERSION)).outcome).toMatch(/ECONNRESET|closed/);
    expect(active.counters()).toMatchObject({ requestsFailed: 1, connectionsReset: 1 });
    await active.revert();
    await expectHealthy(node);
  });

  it('flap switches its fault on and off every period (injected clock)', async ({ fleet }) => {
    const node = memcachedOf(fleet);
    const clock = new ManualClock();
    const active = await applyFault(node, { type: 'flap', periodMs: 1000, fault: { type: 'blackhole' } }, { clock });
    expect(node.proxy.fault?.type).toBe('blackhole');
    clock.advance(1000);
    await expect.poll(() => node.proxy.fault).toBeUndefined();
    await expect.poll(() => clock.pending).toBe(1);
    clock.advance(1000);
    await expect.poll(() => node.proxy.fault?.type).toBe('blackhole');
    expect(active.counters().flaps).toBe(2);
    await active.revert();
    expect(clock.pending).toBe(0);
    await expectHealthy(node);
  });
});

describe('process faults', () => {
  it('pause hangs the server until reverted', async ({ fleet }) => {
    const node = memcachedOf(fleet);
    const active = await applyFault(node, { type: 'pause' });
    expect(await rawRequest(node.proxy.port, VERSION, { timeoutMs: 300 })).toMatchObject({ outcome: 'timeout' });
    expect(active.counters()).toMatchObject({ pauses: 1, connections: 1 });
    await active.revert();
    expect(node.paused).toBe(false);
    await expectHealthy(node);
  });

  it('kill restarts after restartAfterMs (injected clock), empty', async ({ fleet }) => {
    const node = fleet.redis[0];
    if (node === undefined) throw new Error('no redis node');
    expect((await rawRequest(node.port, 'SET k v\r\n')).text).toBe('+OK\r\n');
    const clock = new ManualClock();
    const active = await applyFault(node, { type: 'kill', restartAfterMs: 5000 }, { clock });
    expect(node.running).toBe(false);
    expect((await rawRequest(node.proxy?.port ?? 0, 'PING\r\n')).outcome).toMatch(/ECONNRESET|closed/);
    clock.advance(5000);
    await expect.poll(() => node.running, { timeout: 10_000 }).toBe(true);
    await active.revert();
    expect(active.counters()).toMatchObject({ kills: 1, restarts: 1 });
    expect((await rawRequest(node.proxy?.port ?? 0, 'GET k\r\n')).text).toBe('$-1\r\n');
  });

  it('kill without a restart time is restarted by revert()', async ({ fleet }) => {
    const node = memcachedOf(fleet);
    const active = await applyFault(node, { type: 'kill' });
    expect(node.running).toBe(false);
    await active.revert();
    expect(active.counters()).toMatchObject({ kills: 1, restarts: 1 });
    await expectHealthy(node);
  });
});

describe('fault validation', () => {
  it.each<[Fault, string]>([
    [{ type: 'latency', ms: -1 }, 'fault.ms'],
    [{ type: 'bandwidth', bytesPerSecond: 0 }, 'fault.bytesPerSecond'],
    [{ type: 'partial', share: 1.5 }, 'fault.share'],
    [{ type: 'corrupt', mode: 'shuffle' as 'garbage' }, 'fault.mode'],
    [{ type: 'flap', periodMs: 10, fault: { type: 'latency', ms: 1, direction: 'sideways' as 'both' } }, 'fault.fault.direction'],
  ])('rejects %j naming %s', (fault, option) => {
    expect(() => validateFault(fault)).toThrow(InvalidOptionError);
    expect(() => validateFault(fault)).toThrow(expect.objectContaining({ option }));
  });

  it('refuses a second fault on the same proxy until the first is reverted', async ({ fleet }) => {
    const node = memcachedOf(fleet);
    const active = await applyFault(node, { type: 'latency', ms: 1 });
    await expect(applyFault(node, { type: 'blackhole' })).rejects.toBeInstanceOf(FaultNotApplicableError);
    await active.revert();
    await active.revert();
    await expectHealthy(node);
  });
});
