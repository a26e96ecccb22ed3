// One node slot alone: a node that answers when the test says, the deadline queue on a virtual
// clock, and a health gate that writes down what it was told.
import { describe, expect, it } from 'vitest';
import type { CacheNode } from '../../src/index.js';
import { DeadlineQueue } from '../../src/internal/deadline-queue.js';
import { parseNodeSpec } from '../../src/nodes/node-address.js';
import type { HealthGate } from '../../src/routing/health-gate.js';
import { NodeSlot } from '../../src/routing/node-slot.js';
import { settleMicrotasks, VirtualClock } from '../model/virtual-clock.js';

function setup(options: { maxInFlight?: number; breakerOpen?: boolean } = {}) {
  const clock = new VirtualClock();
  const told: string[] = [];
  const gate: HealthGate = {
    admit: () => {
      if (options.breakerOpen === true) throw Object.assign(new Error('breaker open'), { code: 'ERR_BREAKER_OPEN' });
    },
    success: (latencyMs) => void told.push(`success ${latencyMs}`),
    failure: (error, latencyMs) => void told.push(`failure ${(error as { code?: string }).code} ${latencyMs}`),
  };
  const late: number[] = [];
  const node = { lateCall: (ms: number) => void late.push(ms) } as unknown as CacheNode;
  const slot = new NodeSlot(parseNodeSpec('n:1', 'nodes'), node, { maxInFlight: options.maxInFlight ?? 8, maxValueBytes: 1024, clock, deadlines: new DeadlineQueue(clock), gate });
  return { clock, slot, told, late };
}

/** A reply the test gives when it wants. */
function held<T>(): { promise: Promise<T>; answer(value: T): void; fail(error: unknown): void } {
  let answer!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    answer = resolve;
    fail = reject;
  });
  return { promise, answer, fail };
}

describe('NodeSlot (virtual clock)', () => {
  it('settles a call with its reply, tells health the latency, and counts it', async () => {
    const { clock, slot, told } = setup();
    const reply = held<string>();
    const call = slot.track('get', 100, undefined, () => reply.promise, (value) => value.toUpperCase());
    expect(slot.stats.inFlight).toBe(1);
    await clock.advance(30);
    reply.answer('v');
    await expect(call).resolves.toBe('V');
    expect(told).toEqual(['success 30']);
    expect({ calls: slot.stats.calls, inFlight: slot.stats.inFlight, waiting: slot.waiting }).toEqual({ calls: 1, inFlight: 0, waiting: 0 });
  });

  it('fails a call at its deadline, counted from `startedAt`, and keeps the request in flight until it answers', async () => {
    const { clock, slot, told, late } = setup();
    const reply = held<string>();
    // The call began 40 ms before it reached the slot (encoding a value): 60 ms are left.
    const startedAt = clock.now();
    await clock.advance(40);
    const call = slot.track('set', 100, undefined, () => reply.promise, undefined, startedAt);
    const outcome = call.then(() => 'settled', (error: { code: string }) => `${error.code} at ${clock.now() - startedAt}`);
    await clock.advance(59);
    expect(slot.waiting).toBe(1);
    await clock.advance(1);
    expect(await outcome).toBe('ERR_TIMEOUT at 100');
    expect(told).toEqual(['failure ERR_TIMEOUT 100']);
    expect(late).toEqual([100]);
    // The caller has gone; the request still holds its in-flight place until the node answers.
    expect({ waiting: slot.waiting, inFlight: slot.stats.inFlight }).toEqual({ waiting: 0, inFlight: 1 });
    reply.answer('late');
    await settleMicrotasks();
    expect({ inFlight: slot.stats.inFlight, told }).toEqual({ inFlight: 0, told: ['failure ERR_TIMEOUT 100'] });
  });

  it('fails a call whose request throws, and one whose map throws (the node answered: health hears a success)', async () => {
    const { slot, told } = setup();
    await expect(slot.track('get', 100, undefined, () => { throw Object.assign(new Error('no'), { code: 'ERR_CONNECTION' }); })).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
    await expect(slot.track('get', 100, undefined, () => Promise.resolve('v'), () => { throw new Error('cannot decode'); })).rejects.toThrow('cannot decode');
    expect(told).toEqual(['failure ERR_CONNECTION 0', 'success 0']);
    expect(slot.stats.inFlight).toBe(0);
  });

  it('refuses a call past maxInFlight and when the breaker is open, before anything is sent', async () => {
    const { slot } = setup({ maxInFlight: 1 });
    const reply = held<string>();
    void slot.track('get', 100, undefined, () => reply.promise);
    let sent = 0;
    await expect(slot.run('get', 100, undefined, () => Promise.resolve(String(++sent)))).rejects.toMatchObject({ code: 'ERR_OVERLOADED' });
    reply.answer('v');
    await settleMicrotasks();
    await expect(slot.run('get', 100, undefined, () => Promise.resolve(String(++sent)))).resolves.toBe('1');
    const open = setup({ breakerOpen: true });
    await expect(open.slot.run('get', 100, undefined, () => Promise.resolve(String(++sent)))).rejects.toMatchObject({ code: 'ERR_BREAKER_OPEN' });
    expect(sent).toBe(1);
    expect(open.slot.stats.snapshot({ p50Ms: undefined, p99Ms: undefined }).errors).toEqual({ ERR_BREAKER_OPEN: 1 });
  });

  it('ends the caller\'s wait when its signal aborts, with the signal\'s reason; drain waits for callers only', async () => {
    const { slot } = setup();
    const controller = new AbortController();
    const reply = held<string>();
    const call = slot.track('get', 100, controller.signal, () => reply.promise);
    let drained = false;
    void slot.drain().then(() => (drained = true));
    await settleMicrotasks();
    expect(drained).toBe(false);
    controller.abort(new Error('gave up'));
    await expect(call).rejects.toThrow('gave up');
    await settleMicrotasks();
    expect({ drained, inFlight: slot.stats.inFlight }).toEqual({ drained: true, inFlight: 1 });
  });
});
