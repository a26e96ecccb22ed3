// One contract, every node type, real servers: each adapter must behave the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetNode } from '@shardcache/chaos';
import type { CacheNode } from '../src/nodes/cache-node.js';
import { createMemcachedNode } from '../src/nodes/memcached-node.js';
import { createMemjsNode } from '../src/nodes/memjs-node.js';
import { createRedisNode } from '../src/nodes/redis-node.js';
import { rawSet, serverTtl } from './support/raw-command.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 1, redis: 1 });
});
afterAll(() => fleet.stop());

// 'memcached' is the memjs node, 'memcached-meta' the meta-protocol node: same servers.
type Kind = 'memcached' | 'memcached-meta' | 'redis';
const NODE_KINDS: Kind[] = ['memcached', 'memcached-meta', 'redis'];
const serverKind = (kind: Kind): 'memcached' | 'redis' => (kind === 'redis' ? 'redis' : 'memcached');
async function open(kind: Kind, server: FleetNode): Promise<CacheNode> {
  if (kind === 'memcached') return createMemjsNode({ id: server.address, host: server.host, port: server.port });
  if (kind === 'memcached-meta') return createMemcachedNode({ id: server.address, host: server.host, port: server.port });
  const node = createRedisNode({ id: server.address, host: server.host, port: server.port });
  await node.connect();
  return node;
}

const bytes = (text: string): Buffer => Buffer.from(text);
let unique = 0;
const key = (name: string): string => `${name}:${++unique}`;

describe.each<Kind>(NODE_KINDS)('%s node', (kind) => {
  let node: CacheNode;
  let server: FleetNode;
  beforeAll(async () => {
    server = kind === 'redis' ? (fleet.redis[0] as FleetNode) : (fleet.memcached[0] as FleetNode);
    node = await open(kind, server);
  });
  afterAll(() => node.close());

  it('round-trips raw bytes with flags 0, and other flags (natively or through its header)', async () => {
    const [raw, flagged] = [key('raw'), key('flagged')];
    await node.set(raw, bytes('hello'), 0, 60);
    await node.set(flagged, bytes('{"a":1}'), 7, 60);
    expect(await node.get(raw)).toEqual({ value: bytes('hello'), flags: 0 });
    expect(await node.get(flagged)).toEqual({ value: bytes('{"a":1}'), flags: 7 });
    expect(await node.get(key('absent'))).toBeUndefined();
  });

  it('reads values other clients wrote as raw bytes, and writes raw values they can read', async () => {
    const foreign = key('foreign');
    const garbage = Buffer.from([0xfe, 0x53, 0x43, 0x46, 0xff, 0xff, 0xff, 0xff, 0x01]);
    await rawSet(serverKind(kind), server.port, foreign, bytes('written elsewhere'));
    expect(await node.get(foreign)).toEqual({ value: bytes('written elsewhere'), flags: 0 });
    // A raw value that looks like our header still round-trips exactly.
    const lookalike = key('lookalike');
    await node.set(lookalike, garbage, 0, 60);
    expect(await node.get(lookalike)).toEqual({ value: garbage, flags: 0 });
  });

  it('stores TTLs in seconds, none for null, and over 30 days as the same duration', async () => {
    const [short, forever, long] = [key('ttl'), key('ttl'), key('ttl')];
    await node.set(short, bytes('x'), 0, 120);
    await node.set(forever, bytes('x'), 0, null);
    await node.set(long, bytes('x'), 0, 40 * 24 * 3600);
    expect(await serverTtl(serverKind(kind), server.port, short)).toBeGreaterThan(110);
    expect(await serverTtl(serverKind(kind), server.port, short)).toBeLessThanOrEqual(120);
    expect(await serverTtl(serverKind(kind), server.port, forever)).toBe(-1);
    // Sent as a relative 40 days, memcached would read it as a 1970 timestamp: already expired.
    const longTtl = await serverTtl(serverKind(kind), server.port, long);
    expect(longTtl).toBeGreaterThan(40 * 24 * 3600 - 10);
    // memcached's clock ticks once a second, so an absolute expiry can read one second long.
    expect(longTtl).toBeLessThanOrEqual(40 * 24 * 3600 + 1);
  });

  it('add stores only absent keys and replace only present ones', async () => {
    const k = key('add');
    expect(await node.replace(k, bytes('1'), 0, 60)).toBe(false);
    expect(await node.add(k, bytes('1'), 0, 60)).toBe(true);
    expect(await node.add(k, bytes('2'), 0, 60)).toBe(false);
    expect(await node.replace(k, bytes('3'), 0, 60)).toBe(true);
    expect((await node.get(k))?.value).toEqual(bytes('3'));
  });

  it('deletes one or many keys and counts what existed', async () => {
    const [a, b, c] = [key('del'), key('del'), key('del')];
    await node.setMany([a, b].map((k) => ({ key: k, value: bytes(k), flags: 0, ttl: 60 })));
    expect(await node.getMany([a, b, c])).toEqual([{ value: bytes(a), flags: 0 }, { value: bytes(b), flags: 0 }, undefined]);
    expect(await node.delete(a)).toBe(true);
    expect(await node.delete(a)).toBe(false);
    expect(await node.deleteMany([a, b, c])).toBe(1);
    expect(await node.getMany([a, b, c])).toEqual([undefined, undefined, undefined]);
  });

  it('increments and decrements existing counters only, never below zero', async () => {
    const [counter, absent] = [key('counter'), key('counter')];
    await node.set(counter, bytes('10'), 0, 60);
    expect(await node.incr(counter, 5)).toBe(15);
    expect(await node.decr(counter, 20)).toBe(0);
    expect(await node.incr(absent, 1)).toBeUndefined();
    expect(await node.get(absent)).toBeUndefined();
  });

  it('touches present keys only', async () => {
    const k = key('touch');
    expect(await node.touch(k, 60)).toBe(false);
    await node.set(k, bytes('x'), 0, 60);
    expect(await node.touch(k, 600)).toBe(true);
    expect(await serverTtl(serverKind(kind), server.port, k)).toBeGreaterThan(590);
  });

  it('answers ping and reports server stats', async () => {
    await node.ping();
    const stats = await node.stats();
    expect(Object.keys(stats)).toContain(kind === 'redis' ? 'uptime_in_seconds' : 'uptime');
    if (kind === 'memcached-meta') expect(stats['version']).toMatch(/^1\.6\./);
  });

  it('rejects the wait when the signal aborts, with the signal reason', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(node.get(key('aborted'), { signal: controller.signal })).rejects.toBe(reason);
  });
});

describe('compare-and-swap', () => {
  it.each<Kind>(['redis', 'memcached-meta'])('stores only while the version is unchanged (%s)', async (kind) => {
    const server = (kind === 'redis' ? fleet.redis[0] : fleet.memcached[0]) as FleetNode;
    const node = await open(kind, server);
    try {
      const k = key('cas');
      await node.set(k, bytes('v1'), 0, 60);
      const item = await node.gets(k);
      expect(item?.value).toEqual(bytes('v1'));
      await node.set(k, bytes('v2'), 0, 60);
      expect(await node.cas(k, bytes('v3'), 0, 60, item?.cas ?? '')).toBe('exists');
      const fresh = await node.gets(k);
      expect(await node.cas(k, bytes('v3'), 5, 60, fresh?.cas ?? '')).toBe('stored');
      expect(await node.get(k)).toEqual({ value: bytes('v3'), flags: 5 });
      expect(await node.cas(key('cas-absent'), bytes('x'), 0, 60, 'whatever')).toBe('not_found');
    } finally {
      await node.close();
    }
  });

  it('is reported unsupported by the memjs node, with a typed error', async () => {
    const server = fleet.memcached[0] as FleetNode;
    const node = await open('memcached', server);
    try {
      expect(node.capabilities.cas).toBe(false);
      await expect(node.gets('k')).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED', node: server.address });
    } finally {
      await node.close();
    }
  });
});

describe.each<Kind>(NODE_KINDS)('%s node lifecycle', (kind) => {
  it('fails calls after close() with ERR_CLIENT_CLOSED', async () => {
    const server = kind === 'redis' ? (fleet.redis[0] as FleetNode) : (fleet.memcached[0] as FleetNode);
    const node = await open(kind, server);
    await node.close();
    await node.close();
    await expect(node.get('k')).rejects.toMatchObject({ code: 'ERR_CLIENT_CLOSED' });
  });

  it('fails fast with ERR_CONNECTION when its server is gone', async () => {
    const own = await startFleet({ [serverKind(kind)]: 1 });
    const server = own.servers[0] as FleetNode;
    const node = await open(kind, server);
    try {
      await node.set('k', bytes('v'), 0, 60);
      await server.kill();
      await expect(node.get('k')).rejects.toMatchObject({ code: 'ERR_CONNECTION', node: server.address });
    } finally {
      await node.destroy();
      await own.stop();
    }
  });
});
