// The call rules alone, over a real Topology of in-memory nodes on the hand-worked ring
// (support/digit-ring.ts: n:4 owns keys 23..42, n:6 owns 43..62, n:2 the rest; 23's chain is
// n:4, n:6, n:2) and a virtual clock: what a write must also do, and whether a read may be served.
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/client-options.js';
import { CallRules } from '../../src/calls/call-rules.js';
import type { DumpedItem } from '../../src/index.js';
import type { RoutedKey } from '../../src/keyspace/key-rules.js';
import { resolveRejoin, type RejoinOptions } from '../../src/rejoin/rejoin-guard.js';
import type { NodeSlot } from '../../src/routing/node-slot.js';
import { Topology } from '../../src/routing/topology.js';
import { VirtualClock } from '../model/virtual-clock.js';
import { DIGIT_NODES, digitRing } from '../support/digit-ring.js';
import { memoryNode, type MemoryNodeHooks } from '../support/memory-node.js';

function setup(options: { rejoin?: RejoinOptions; warmupMs?: number; hooks?: MemoryNodeHooks } = {}) {
  const clock = new VirtualClock();
  const stores = new Map<string, Map<string, DumpedItem>>();
  const resolved = resolveOptions({ backend: 'memcached', nodes: [...DIGIT_NODES], clock, failover: 'next', ring: digitRing, warmupMs: options.warmupMs ?? 0 });
  const topology = new Topology(resolved, (address) => memoryNode(address.id, stores.set(address.id, new Map()).get(address.id) as Map<string, DumpedItem>, options.hooks), resolveRejoin({ failoverTtl: 30, ...options.rejoin }), {
    ejected: () => undefined,
    restored: () => undefined,
    changed: () => undefined,
    error: () => undefined,
  });
  const rules = new CallRules(topology, 100);
  const slot = (id: string): NodeSlot => topology.slot(id) as NodeSlot;
  const key = (name: string): RoutedKey => ({ wire: name, placement: name }) as RoutedKey;
  return { clock, stores, topology, rules, slot, key };
}

describe('CallRules.beforeWrite (worked out by hand)', () => {
  it('does nothing and allocates nothing in the steady state', () => {
    const { rules, slot, key, topology } = setup();
    expect(rules.beforeWrite(key('23'), slot('n:4'), 3600)).toBeUndefined();
    expect(topology.rejoin.tracked).toEqual({});
  });

  it('records a write served away from its ejected owner for the owner, and caps its TTL at failoverTtl', () => {
    const { rules, slot, key, topology } = setup();
    topology.eject('n:4', 'test');
    // 23 is n:4's; under "next" n:6 serves it now.
    expect(rules.beforeWrite(key('23'), slot('n:6'), 3600)).toEqual({ wire: '23', ttl: 30, purge: undefined, replacesSince: undefined });
    expect(rules.beforeWrite(key('24'), slot('n:6'), null)).toMatchObject({ ttl: 30 });
    // A TTL under the cap is kept: nothing to return, but the write is still recorded.
    expect(rules.beforeWrite(key('25'), slot('n:6'), 10)).toBeUndefined();
    // 43 is n:6's own: nobody misses it.
    expect(rules.beforeWrite(key('43'), slot('n:6'), 3600)).toBeUndefined();
    expect(topology.rejoin.tracked).toEqual({ 'n:4': 3 });
    expect([...(topology.rejoin.missed('n:4') as ReadonlyMap<string, unknown>).keys()]).toEqual(['23', '24', '25']);
  });

  it('answers a batch with one entry per key, or undefined (no array) when no key has anything to do', () => {
    const { rules, slot, key, topology } = setup();
    const ttls = [3600, 10, 3600];
    const batch = [key('23'), key('25'), key('43')];
    expect(rules.beforeWrites(batch, slot('n:6'), (at) => ttls[at] ?? null)).toBeUndefined();
    topology.eject('n:4', 'test');
    // 23 is capped (its TTL is over 30), 25 is recorded but keeps its TTL, 43 is n:6's own.
    const effects = rules.beforeWrites(batch, slot('n:6'), (at) => ttls[at] ?? null);
    expect(effects).toHaveLength(3);
    expect(effects?.[0]).toMatchObject({ wire: '23', ttl: 30 });
    expect([effects?.[1], effects?.[2]]).toEqual([undefined, undefined]);
    expect(topology.rejoin.tracked).toEqual({ 'n:4': 2 });
  });

  it('records nothing with rejoin safety off, and caps no TTL with failoverTtl "none"', () => {
    const off = setup({ rejoin: { enabled: false } });
    off.topology.eject('n:4', 'test');
    expect(off.rules.beforeWrite(off.key('23'), off.slot('n:6'), 3600)).toMatchObject({ ttl: 30 });
    expect(off.topology.rejoin.tracked).toEqual({});
    const uncapped = setup({ rejoin: { failoverTtl: 'none' } });
    uncapped.topology.eject('n:4', 'test');
    expect(uncapped.rules.beforeWrite(uncapped.key('23'), uncapped.slot('n:6'), 3600)).toBeUndefined();
    expect(uncapped.topology.rejoin.tracked).toEqual({ 'n:4': 1 });
  });

  it('treats a stale failover copy: not read until a write sent after it began succeeds', async () => {
    // Its delete hangs (a stalled process), so the copy stays known as stale.
    const { rules, slot, key, topology } = setup({ hooks: { delete: () => new Promise(() => undefined) } });
    topology.rejoin.deleteOrphan('n:6', '23');
    expect(rules.refusesRead(slot('n:6'), '23')).toBe(true);
    expect(rules.mayServe(slot('n:6'), '23')).toBe(false);
    expect(rules.refusesRead(slot('n:6'), '24')).toBe(false);
    const effects = rules.beforeWrite(key('23'), slot('n:6'), 3600);
    expect(effects).toMatchObject({ wire: '23', ttl: 3600, purge: undefined });
    expect(effects?.replacesSince).toBeGreaterThan(0);
    // A failed write ends nothing; a successful one ends the record.
    await expect(rules.afterWrite(slot('n:6'), Promise.reject(new Error('lost')), effects)).rejects.toThrow('lost');
    expect(rules.mayServe(slot('n:6'), '23')).toBe(false);
    await expect(rules.afterWrite(slot('n:6'), Promise.resolve('ok'), effects)).resolves.toBe('ok');
    expect([rules.refusesRead(slot('n:6'), '23'), rules.mayServe(slot('n:6'), '23')]).toEqual([false, true]);
  });

  it('does not let a write sent before a stale copy was known end its record', async () => {
    const { rules, slot, key, topology } = setup({ hooks: { delete: () => new Promise(() => undefined) } });
    topology.rejoin.deleteOrphan('n:6', '50');
    const before = rules.beforeWrite(key('50'), slot('n:6'), 3600);
    // The copy of 50 is stale again from a later hand-over, after that write was sent.
    topology.rejoin.deleteOrphan('n:6', '50');
    await rules.afterWrite(slot('n:6'), Promise.resolve(undefined), before);
    expect(rules.mayServe(slot('n:6'), '50')).toBe(false);
  });

  it('makes a write wait for its migration purge while a change is being applied, and fails it if the purge fails', async () => {
    const { rules, slot } = setup();
    const purge = Promise.reject(new Error('purge failed'));
    purge.catch(() => undefined);
    const effects = { wire: '23', ttl: 60, purge, replacesSince: undefined };
    await expect(rules.afterWrite(slot('n:4'), Promise.resolve('written'), effects)).rejects.toThrow('purge failed');
    let purged!: () => void;
    const waiting = { ...effects, purge: new Promise<void>((resolve) => (purged = resolve)) };
    let settled = false;
    const write = rules.afterWrite(slot('n:4'), Promise.resolve('written'), [undefined, waiting]).then((value) => ((settled = true), value));
    await Promise.resolve();
    expect(settled).toBe(false);
    purged();
    await expect(write).resolves.toBe('written');
  });

  it('records a key a pending migration moves, so its copy at the new owner is purged before the swap', async () => {
    const { rules, slot, key, topology } = setup();
    // Adding n:3 (points 30, 31, 32) moves 23..32 from n:4 to n:3.
    const { pending } = await topology.beginMigration({ add: ['n:3'] }, (wire) => wire);
    expect(rules.beforeWrite(key('23'), slot('n:4'), 60)).toBeUndefined();
    expect(rules.beforeWrite(key('33'), slot('n:4'), 60)).toBeUndefined();
    expect(pending.tracked).toBe(1);
    pending.finished();
  });

  it('deletes a written key\'s copy at its previous owner during warm-up, and never warms that key again', async () => {
    const { rules, slot, key, topology, stores, clock } = setup({ warmupMs: 1000 });
    const n4 = stores.get('n:4') as Map<string, DumpedItem>;
    for (const name of ['23', '24']) n4.set(name, { payload: Buffer.from('old'), flags: 0, ttlMs: null });
    // n:3 joins (points 30, 31, 32): 23..32 move from n:4 to n:3, and n:4 stays in the fleet.
    await topology.apply({ add: ['n:3'] });
    expect(topology.router.route('23')).toBe('n:3');
    expect(topology.warmSource('23', 'n:3', '23')?.id).toBe('n:4');
    expect(rules.beforeWrite(key('23'), slot('n:3'), 60)).toBeUndefined();
    await clock.advance(0);
    expect([...n4.keys()]).toEqual(['24']);
    expect(topology.warmSource('23', 'n:3', '23')).toBeUndefined();
    expect(topology.warmSource('24', 'n:3', '24')?.id).toBe('n:4');
    // After the window, no key is warmed.
    await clock.advance(1000);
    expect(topology.warmSource('24', 'n:3', '24')).toBeUndefined();
  });
});

describe('Rejoin through the topology (worked out by hand)', () => {
  it('deletes from a returning owner what was written elsewhere while it was out, and the failover copy, before it serves', async () => {
    const { rules, slot, key, topology, stores } = setup();
    const n4 = stores.get('n:4') as Map<string, DumpedItem>;
    const n6 = stores.get('n:6') as Map<string, DumpedItem>;
    n4.set('23', { payload: Buffer.from('before'), flags: 0, ttlMs: null });
    n4.set('30', { payload: Buffer.from('untouched'), flags: 0, ttlMs: null });
    topology.eject('n:4', 'test');
    rules.beforeWrite(key('23'), slot('n:6'), 60);
    n6.set('23', { payload: Buffer.from('while out'), flags: 0, ttlMs: null });
    await topology.restore('n:4');
    expect(topology.router.ejected.size).toBe(0);
    // The owner's older copy is gone (a read misses, then the application's next write lands
    // there); the failover copy is gone too; a key nobody wrote meanwhile is kept.
    expect([[...n4.keys()], [...n6.keys()]]).toEqual([['30'], []]);
    expect(topology.rejoin.tracked).toEqual({});
  });

  it('returns the owner as it is with rejoin safety off (the control: its older copy would be served)', async () => {
    const { rules, slot, key, topology, stores } = setup({ rejoin: { enabled: false } });
    const n4 = stores.get('n:4') as Map<string, DumpedItem>;
    n4.set('23', { payload: Buffer.from('before'), flags: 0, ttlMs: null });
    topology.eject('n:4', 'test');
    rules.beforeWrite(key('23'), slot('n:6'), 60);
    await topology.restore('n:4');
    expect([...n4.keys()]).toEqual(['23']);
  });
});
